// Line bookkeeping shared by the readers: splitLines (NDJSON) and LineTracker (CSV byte offsets → lines).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineTracker } from '../../src/readers/lines.js';
import { splitLines, type Line } from '../../src/readers/lines-split.js';

async function lines(chunks: string[], maxLineBytes = 1024): Promise<Line[]> {
  const out: Line[] = [];
  for await (const line of splitLines(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), maxLineBytes)) out.push(line);
  return out;
}

describe('splitLines', () => {
  it('numbers LF and CRLF lines from 1 and strips the line break', async () => {
    expect(await lines(['a\r\nb\n\nc'])).toEqual([
      { number: 1, text: 'a' },
      { number: 2, text: 'b' },
      { number: 3, text: '' },
      { number: 4, text: 'c' },
    ]);
  });

  it('yields nothing after a final line break, and nothing for empty input', async () => {
    expect(await lines(['a\n'])).toEqual([{ number: 1, text: 'a' }]);
    expect(await lines([])).toEqual([]);
  });

  it('joins a line split across chunks, including a CRLF split between them', async () => {
    expect(await lines(['ab', 'c\r', '\nd', 'e\n'])).toEqual([
      { number: 1, text: 'abc' },
      { number: 2, text: 'de' },
    ]);
  });

  it('joins a multi-byte character split across chunks', async () => {
    const bytes = Buffer.from('Köln\n');
    const out: Line[] = [];
    for await (const line of splitLines(Readable.from([bytes.subarray(0, 2), bytes.subarray(2)]), 100)) out.push(line);
    expect(out).toEqual([{ number: 1, text: 'Köln' }]);
  });

  it('reports a line over the limit with its size and a prefix, and reads on', async () => {
    expect(await lines(['ok\n', 'x'.repeat(30), 'y'.repeat(30), '\nnext\n'], 40)).toEqual([
      { number: 1, text: 'ok' },
      { number: 2, tooLong: 60, text: `${'x'.repeat(30)}${'y'.repeat(30)}` },
      { number: 3, text: 'next' },
    ]);
    expect(await lines([`${'z'.repeat(50)}\nnext`], 40)).toEqual([
      { number: 1, tooLong: 50, text: 'z'.repeat(50) },
      { number: 2, text: 'next' },
    ]);
  });

  it('accepts a line of exactly the limit', async () => {
    expect(await lines([`${'a'.repeat(40)}\n`], 40)).toEqual([{ number: 1, text: 'a'.repeat(40) }]);
  });

  it('reports an over-long last line without a line break', async () => {
    expect(await lines(['a\n', 'b'.repeat(50)], 40)).toEqual([
      { number: 1, text: 'a' },
      { number: 2, tooLong: 50, text: 'b'.repeat(50) },
    ]);
  });
});

describe('LineTracker', () => {
  it('turns byte offsets into line numbers across chunks', () => {
    const tracker = new LineTracker();
    // offsets: "ab\n" 0-2, "cd\n" 3-5, "ef\n" 6-8
    tracker.push(Buffer.from('ab\ncd'));
    tracker.push(Buffer.from('\nef\n'));
    expect(tracker.lineOfRecordStarting(0)).toBe(1);
    expect(tracker.lineOfRecordStarting(3)).toBe(2);
    expect(tracker.lineOfRecordStarting(6)).toBe(3);
  });

  it('skips blank lines (LF and CRLF) before a record', () => {
    const tracker = new LineTracker();
    tracker.push(Buffer.from('a\n\r\n\nb\n'));
    expect(tracker.lineOfRecordStarting(0)).toBe(1);
    expect(tracker.lineOfRecordStarting(2)).toBe(4);
  });

  it('counts line feeds inside a record (a quoted newline) toward the next record', () => {
    const tracker = new LineTracker();
    const text = 'h\n"x\r\ny"\nz\n';
    tracker.push(Buffer.from(text));
    expect(tracker.lineOfRecordStarting(2)).toBe(2);
    expect(tracker.lineOfRecordStarting(text.indexOf('z'))).toBe(4);
  });

  it('answers for an offset past the data it has seen with the line reached so far', () => {
    const tracker = new LineTracker();
    tracker.push(Buffer.from('a\nb\n'));
    expect(tracker.lineOfRecordStarting(4)).toBe(3);
  });
});
