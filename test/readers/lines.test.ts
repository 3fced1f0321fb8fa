// Splitting a byte stream into numbered lines (the NDJSON reader's line bookkeeping).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
