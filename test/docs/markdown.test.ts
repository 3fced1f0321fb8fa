// Why: the docs test trusts this parser to find every example and every marker; a parser that
// silently missed a block or accepted a reasonless "not runnable" would let examples rot unseen.
import { describe, expect, test } from 'vitest';
import { blocksOf, commandsOf, looksLikeCommand, parseMarker, runLinesOf, strayMarkers } from './markdown.js';

describe('docs markdown parser', () => {
  test('finds fenced blocks with their language, line and the markers right above them', () => {
    const text = ['# t', '', '<!-- exit: 1 -->', '', '<!-- file: a.json -->', '```sh', 'eventload validate x', '```', 'prose', '```', 'plain', '```'].join('\n');
    const [first, second] = blocksOf('T.md', text);
    expect(first).toMatchObject({ line: 6, lang: 'sh', body: 'eventload validate x', markers: [{ kind: 'exit', code: 1 }, { kind: 'file', path: 'a.json' }] });
    expect(second).toMatchObject({ line: 10, lang: '', markers: [] });
  });

  test('a "not runnable" or "skip" marker without its reason is invalid', () => {
    expect(parseMarker('not runnable')).toMatchObject({ kind: 'invalid' });
    expect(parseMarker('not runnable:')).toMatchObject({ kind: 'invalid' });
    expect(parseMarker('not runnable: needs a real FlowMyna account')).toEqual({ kind: 'not-runnable', reason: 'needs a real FlowMyna account' });
    expect(parseMarker('skip npm ci')).toMatchObject({ kind: 'invalid' });
    expect(parseMarker('skip npm ci, npm test because it would recurse')).toEqual({ kind: 'skip', commands: ['npm ci', 'npm test'], reason: 'it would recurse' });
    expect(parseMarker('exit: one')).toMatchObject({ kind: 'invalid' });
    expect(parseMarker('runnable maybe')).toMatchObject({ kind: 'invalid' });
  });

  test('commands: continuations joined, comments dropped, console output lines ignored', () => {
    const sh = blocksOf('T.md', '```sh\n# a comment\neventload import a.csv \\\n  --target flowmyna   # trailing\necho "# not a comment"\n```')[0]!;
    expect(commandsOf(sh)).toEqual([
      { line: 3, command: 'eventload import a.csv --target flowmyna' },
      { line: 5, command: 'echo "# not a comment"' },
    ]);
    const console = blocksOf('T.md', '```console\n$ eventload status\nnothing yet\n```')[0]!;
    expect(commandsOf(console)).toEqual([{ line: 2, command: 'eventload status' }]);
  });

  test('YAML run: lines are commands; an unlabelled block that holds one is caught', () => {
    const yaml = blocksOf('T.md', '```yaml\n- name: x\n  run: npx eventload validate a.csv\n```')[0]!;
    expect(runLinesOf(yaml)).toEqual([{ line: 3, command: 'npx eventload validate a.csv' }]);
    expect(looksLikeCommand('eventload import x')).toBe(true);
    expect(looksLikeCommand('fixtures/orders-mistakes.csv:6: objects[1].id: must be 1-500 characters')).toBe(false);
  });

  test('a marker that sits above no block is reported', () => {
    expect(strayMarkers('<!-- exit: 1 -->\nprose\n```sh\nx\n```')).toEqual([{ line: 1, text: '<!-- exit: 1 -->' }]);
    expect(strayMarkers('<!-- exit: 1 -->\n\n```sh\nx\n```')).toEqual([]);
  });
});
