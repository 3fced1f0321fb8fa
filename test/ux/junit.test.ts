// validate --reporter junit and --junit FILE: one test case per input file, one failure per
// invalid record, escaped so that any record text still gives well-formed XML.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attribute, junitReport, text } from '../../src/report/junit.js';
import { runCli, withTempDir } from '../helpers.js';

const simpleMapping = { event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] };

/** A strict parser when one is at hand: Python's expat (xml.dom.minidom) rejects any malformed XML. */
const python = spawnSync('python3', ['-c', 'import xml.dom.minidom'], { encoding: 'utf8' }).status === 0 ? 'python3' : undefined;

function parseStrictly(xml: string): { ok: boolean; error: string } {
  const result = spawnSync(python!, ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'], { input: xml, encoding: 'utf8' });
  return { ok: result.status === 0, error: result.stderr };
}

/** A small well-formedness check of our own: balanced tags, quoted attributes, no stray < or &, only XML 1.0 characters. */
function expectWellFormed(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = xml.replace(/^<\?xml[^?]*\?>\n/, '');
  expect(body).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  expect(body).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let match = tag.exec(body); match; match = tag.exec(body)) {
    expect(body.slice(last, match.index)).not.toContain('<');
    last = match.index + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name!);
  }
  expect(body.slice(last)).not.toContain('<');
  expect(stack).toEqual([]);
}

function attributes(xml: string, element: string): Array<Record<string, string>> {
  return [...xml.matchAll(new RegExp(`<${element}((?:\\s+[\\w:-]+="[^"]*")*)\\s*/?>`, 'g'))].map((match) =>
    Object.fromEntries([...match[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((pair) => [pair[1]!, pair[2]!])),
  );
}

describe('JUnit XML escaping', () => {
  it('escapes markup in text and attributes, and line breaks and tabs in attributes', () => {
    expect(text('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; "d"');
    expect(attribute(`say "hi" & 'bye'\n\tnext\r`)).toBe('say &quot;hi&quot; &amp; &apos;bye&apos;&#10;&#9;next&#13;');
  });

  it('writes characters XML cannot carry (controls, lone surrogates) as visible \\u escapes, keeping valid astral characters', () => {
    expect(text('bell\u0007 nul\u0000 esc\u001B ok\u00e9 \u{1F600}')).toBe('bell\\u0007 nul\\u0000 esc\\u001b ok\u00e9 \u{1F600}');
    expect(text('lone \uD800 high, lone \uDC00 low')).toBe('lone \\ud800 high, lone \\udc00 low');
  });

  it('gives well-formed XML for any reason text', () => {
    const nasty = `]]> <![CDATA[ & "quotes" 'apos' \u0001\u001F \n\r\t </failure> <x a="b"/> \uFFFF`;
    const xml = junitReport({
      name: 'eventload validate',
      seconds: 0.5,
      timestamp: new Date('2024-05-01T10:00:00.123Z'),
      files: [{ file: `a&b<c>"d".csv`, read: 2, valid: 1, invalid: 1, skipped: 0, seconds: 0.25, failures: [{ line: 2, stage: 'map', code: 'EL_FIELD_REQUIRED', reason: nasty }] }],
      reasons: [`1 × EL_FIELD_REQUIRED (first at line 2 of a.csv: ${nasty})`],
    });
    expectWellFormed(xml);
    if (python) expect(parseStrictly(xml)).toEqual({ ok: true, error: '' });
    expect(attributes(xml, 'testsuite')[0]).toMatchObject({ timestamp: '2024-05-01T10:00:00', tests: '1', failures: '1' });
  });
});

describe('validate --reporter junit', () => {
  it('prints one test case per input file and one failure per invalid record on stdout', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(simpleMapping));
      await writeFile(join(dir, 'good.csv'), 'case,activity,at\nC1,a,2024-01-01T10:00:00Z\n');
      await writeFile(join(dir, 'bad.csv'), 'case,activity,at\nC1,a,2024-01-01T10:00:00Z\n,b,2024-01-01T10:00:00Z\nC3,c,"<soon> & \u0007"\n');
      const result = await runCli(['validate', 'good.csv', 'bad.csv', '-m', 'm.json', '--reporter', 'junit'], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      const xml = result.stdout;
      expectWellFormed(xml);
      if (python) expect(parseStrictly(xml).error).toBe('');
      expect(attributes(xml, 'testsuites')[0]).toMatchObject({ name: 'eventload validate', tests: '2', failures: '1', errors: '0', skipped: '0' });
      expect(attributes(xml, 'testcase').map((testcase) => [testcase.name, testcase.classname])).toEqual([
        ['good.csv', 'eventload.validate'],
        ['bad.csv', 'eventload.validate'],
      ]);
      expect(attributes(xml, 'failure')).toEqual([
        { message: '3: objects: every mapped object id is empty in this record; an event needs at least one object', type: 'EL_OBJECTS_EMPTY' },
        { message: '4: timestamp: column &quot;at&quot;: &quot;&lt;soon&gt; &amp; \\u0007&quot; is not an ISO 8601 date-time', type: 'EL_TIMESTAMP_INVALID' },
      ]);
      expect(xml).toContain('>bad.csv:3: EL_OBJECTS_EMPTY (map): objects: every mapped object id is empty in this record; an event needs at least one object</failure>');
      expect(xml).toContain('<system-out>invalid records by reason:\n1 × EL_OBJECTS_EMPTY (first at line 3 of bad.csv: objects: every mapped object id is empty in this record; an event needs at least one object)\n1 × EL_TIMESTAMP_INVALID (first at line 4 of bad.csv:');
      expect(xml).toContain('<system-out>1 records read: 1 valid, 0 invalid</system-out>');
      expect(xml).toContain('<system-out>3 records read: 1 valid, 2 invalid</system-out>');
    });
  });

  it('writes the XML to --junit FILE alongside another reporter, and lists at most --max-errors failures', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'validate.xml');
      const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json', '--reporter', 'github', '--junit', file, '--max-errors', '2']);
      expect(result.stdout.split('\n')[0]).toMatch(/^::error file=fixtures\/orders-mistakes\.csv,line=3,/);
      const xml = await readFile(file, 'utf8');
      expectWellFormed(xml);
      expect(attributes(xml, 'failure').map((failure) => failure.message)).toEqual([
        '3: timestamp: is required, but column &quot;created_at&quot; is empty (a historical import never uses &quot;now&quot;)',
        '4: timestamp: column &quot;created_at&quot;: &quot;02/04/2024 10:00&quot; is not an ISO 8601 date-time',
      ]);
      expect(xml).toContain('<system-out>9 records read: 3 valid, 6 invalid (4 not listed, --max-errors)</system-out>');
    });
  });

  it('passes every test case when every record is valid', async () => {
    const result = await runCli(['validate', 'fixtures/orders.csv', '-m', 'fixtures/orders.mapping.json', '--reporter', 'junit']);
    expect(result.code).toBe(0);
    expect(attributes(result.stdout, 'testsuites')[0]).toMatchObject({ tests: '1', failures: '0' });
    expect(result.stdout).not.toContain('<failure');
  });

  it('refuses an unwritable --junit file before reading anything (exit 2)', async () => {
    const result = await runCli(['validate', 'fixtures/orders.csv', '-m', 'fixtures/orders.mapping.json', '--junit', 'fixtures/orders.csv/v.xml']);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: 'eventload: EL_OUTPUT_OPEN: --junit fixtures/orders.csv/v.xml: cannot write (ENOTDIR)\n' });
  });
});
