// Splits a byte stream into lines (LF or CRLF) with their 1-based numbers, holding at most one
// line in memory; a line longer than the limit is reported, not buffered, and reading goes on.
import type { Readable } from 'node:stream';

export type Line = { number: number; text: string; tooLong?: undefined } | { number: number; tooLong: number; text: string };

export async function* splitLines(stream: Readable, maxLineBytes: number): AsyncGenerator<Line> {
  let number = 1;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let overflow = 0; // bytes of the current line dropped because it is too long
  for await (const data of stream) {
    const chunk = data as Buffer;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      const piece = chunk.subarray(start, newline);
      yield finish(number++, carry, carryBytes, piece, overflow, maxLineBytes);
      carry = [];
      carryBytes = 0;
      overflow = 0;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) continue;
    if (overflow > 0 || carryBytes + rest.length > maxLineBytes) {
      // Keep only a prefix for the rejects file; count the rest.
      if (overflow === 0) keepPrefix(carry, rest);
      overflow += rest.length;
    } else {
      carry.push(rest);
      carryBytes += rest.length;
    }
  }
  if (carryBytes > 0 || overflow > 0) yield finish(number, carry, carryBytes, Buffer.alloc(0), overflow, maxLineBytes);
}

function keepPrefix(carry: Buffer[], rest: Buffer): void {
  carry.push(rest.subarray(0, 1024));
}

function finish(number: number, carry: Buffer[], carryBytes: number, piece: Buffer, overflow: number, maxLineBytes: number): Line {
  const total = carryBytes + overflow + piece.length;
  if (total > maxLineBytes) {
    // The carry may be many small pieces (a line that began at the end of a chunk): join them.
    const prefix = Buffer.concat([...carry, piece.subarray(0, 1024)]).subarray(0, 1024);
    return { number, tooLong: total, text: prefix.toString('utf8') };
  }
  const bytes = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  return { number, text: bytes.toString('utf8', 0, end) };
}
