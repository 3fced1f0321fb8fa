// The shared streaming XML layer: element events with their positions, batches per chunk, text only
// when asked, characters split across chunks kept whole, and a malformed document reported once with
// its line and column after every event before the fault.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { xmlEvents, XmlMalformedError, type XmlEvent } from '../../../src/readers/xml/stream.js';

async function collect(chunks: Array<string | Buffer>, text = false): Promise<{ events: XmlEvent[]; batches: number; error?: XmlMalformedError }> {
  const events: XmlEvent[] = [];
  let batches = 0;
  try {
    for await (const batch of xmlEvents(Readable.from(chunks), { text })) {
      batches++;
      events.push(...batch);
    }
  } catch (error) {
    if (!(error instanceof XmlMalformedError)) throw error;
    return { events, batches, error };
  }
  return { events, batches };
}

describe('xmlEvents', () => {
  it('gives open (name, attributes, self-closing), close and positions of each tag start', async () => {
    const xml = '<?xml version="1.0"?>\n<log a="1">\n  <trace>\n    <string key="k" value="v &amp; w"/>\n  </trace>\n</log>\n';
    const { events, error } = await collect([xml]);
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { kind: 'open', name: 'log', attributes: { a: '1' }, selfClosing: false, line: 2, column: 1 },
      { kind: 'open', name: 'trace', attributes: {}, selfClosing: false, line: 3, column: 3 },
      { kind: 'open', name: 'string', attributes: { key: 'k', value: 'v & w' }, selfClosing: true, line: 4, column: 5 },
      { kind: 'close', name: 'string', line: 4, column: 5 },
      { kind: 'close', name: 'trace', line: 5, column: 10 },
      { kind: 'close', name: 'log', line: 6, column: 6 },
    ]);
  });

  it('delivers text and CDATA only when asked, never whitespace alone', async () => {
    const xml = '<a>\n  <b>one &lt;two&gt;</b>\n  <c><![CDATA[x < y]]></c>\n</a>';
    expect((await collect([xml])).events.some((event) => event.kind === 'text')).toBe(false);
    const texts = (await collect([xml], true)).events.filter((event) => event.kind === 'text').map((event) => (event as { text: string }).text);
    expect(texts).toEqual(['one <two>', 'x < y']);
  });

  it('yields one batch per chunk and keeps a character split across chunks whole', async () => {
    const bytes = Buffer.from('<a><b v="Zürich €"/><c/></a>', 'utf8');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of €
    const { events, batches } = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(batches).toBe(2);
    expect(events.find((event) => event.kind === 'open' && event.name === 'b')).toMatchObject({ attributes: { v: 'Zürich €' } });
  });

  it('reports a malformed document once, with line and column, after every event before the fault', async () => {
    const xml = '<log>\n<event/>\n<event/>\n<event></trace>\n<event/>\n</log>';
    const { events, error } = await collect([xml.slice(0, 12), xml.slice(12)]);
    expect(error).toBeInstanceOf(XmlMalformedError);
    expect(error!.code).toBe('EL_XML_MALFORMED');
    expect(error!.line).toBe(4);
    expect(error!.column).toBe(16);
    expect(error!.message).toMatch(/^not well-formed XML at line 4, column 16: unexpected close tag/);
    expect(events.filter((event) => event.kind === 'open' && event.name === 'event')).toHaveLength(3);
    expect(events.some((event) => event.line > 4)).toBe(false);
  });

  it('reports a document cut off before its end', async () => {
    const { events, error } = await collect(['<log>\n<trace>\n<event/>\n']);
    expect(error?.message).toMatch(/line 4/);
    expect(events.filter((event) => event.kind === 'open')).toHaveLength(3);
  });

  it('does not read external entities', async () => {
    const xml = '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<a v="&x;"/>';
    const { events, error } = await collect([xml]);
    expect(error).toBeInstanceOf(XmlMalformedError);
    expect(JSON.stringify(events)).not.toContain('root:');
  });
});
