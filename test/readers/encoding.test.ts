// Text in other encodings reaches the server byte-exact, and invalid UTF-8 is never sent as U+FFFD:
// real Latin-1, Windows-1252, UTF-16 and Shift_JIS files (written with iconv-lite) imported into the
// sandbox, a stray bad byte rejected alone, a file in another encoding stopped before anything is sent.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { eventload, expectAccounted, importInto, useSandboxes, useTempDirs } from '../import/helpers.js';

const tempDir = useTempDirs();
const sandboxes = useSandboxes();

const MAPPING = { event: { const: 'Checked' }, timestamp: { column: 'ts', timezone: 'UTC' }, objects: [{ type: { const: 'Order' }, id: 'id' }], properties: { name: 'name' } };
const NAMES = ['Prüfung', 'Müller', 'Größe', 'Ærø café'];

function csv(names: string[], prefix = 'ORD'): string {
  return `id,ts,name\n${names.map((name, i) => `${prefix}-${i + 1},2024-03-01 10:00:0${i % 10},${name}`).join('\n')}\n`;
}

async function setUp(): Promise<{ dir: string; mapping: string }> {
  const dir = await tempDir();
  const mapping = join(dir, 'm.json');
  await writeFile(mapping, JSON.stringify(MAPPING));
  return { dir, mapping };
}

const receivedNames = (stored: Array<{ body: Record<string, any> }>) => stored.map((event) => event.body.properties?.name).sort();

describe('encodings', () => {
  for (const [encoding, names, options] of [
    ['latin1', NAMES, {}],
    ['windows-1252', ['Prüfung – “quoted” €5', 'Müller…'], {}],
    ['shift_jis', ['東京都', '検査済み', 'ｶﾀｶﾅ'], {}],
    ['utf-16le', NAMES, { addBOM: true }],
  ] as const) {
    it(`imports a ${encoding} file byte-exact with --encoding ${encoding}`, async () => {
      const sandbox = await sandboxes({ target: 'flowmyna' });
      const { dir, mapping } = await setUp();
      const file = join(dir, 'in.csv');
      await writeFile(file, iconv.encode(csv([...names]), encoding, options));
      const run = await importInto(sandbox, dir, [file, '-m', mapping, '--encoding', encoding]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.summary).toMatchObject({ read: names.length, accepted: names.length });
      expect(receivedNames(sandbox.stats.stored)).toEqual([...names].sort());
    });
  }

  it('recognises UTF-16 (LE and BE) and UTF-8 byte order marks without --encoding', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const { dir, mapping } = await setUp();
    const le = join(dir, 'le.csv');
    const be = join(dir, 'be.csv');
    const u8 = join(dir, 'u8.csv');
    await writeFile(le, iconv.encode(csv(NAMES, 'LE'), 'utf-16le', { addBOM: true }));
    await writeFile(be, iconv.encode(csv(NAMES, 'BE'), 'utf-16be', { addBOM: true }));
    await writeFile(u8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv(NAMES, 'U8'))]));
    const run = await importInto(sandbox, dir, [le, be, u8, '-m', mapping]);
    expect(run.code, run.stderr).toBe(0);
    expect(receivedNames(sandbox.stats.stored)).toEqual([...NAMES, ...NAMES, ...NAMES].sort());
  });

  it('reads "encoding" from the mapping\'s reader section and from a --config file', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const { dir } = await setUp();
    const file = join(dir, 'in.csv');
    await writeFile(file, iconv.encode(csv(NAMES), 'latin1'));
    const withEncoding = join(dir, 'latin1.json');
    await writeFile(withEncoding, JSON.stringify({ ...MAPPING, reader: { encoding: 'latin1' } }));
    const run = await importInto(sandbox, dir, [file, '-m', withEncoding]);
    expect(run.code, run.stderr).toBe(0);
    expect(receivedNames(sandbox.stats.stored)).toEqual([...NAMES].sort());

    const config = join(dir, 'validate.json');
    await writeFile(config, JSON.stringify({ mapping: 'm.json', encoding: 'windows-1252' }));
    const validated = await eventload(dir, ['validate', file, '--config', config]);
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toContain(`${NAMES.length} records read: ${NAMES.length} valid, 0 invalid`);
  });

  it('stops a file in another encoding before sending anything (exit 2), naming the guess and the flag', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const { dir, mapping } = await setUp();
    const file = join(dir, 'in.csv');
    await writeFile(file, iconv.encode(csv(NAMES), 'latin1'));
    for (const command of [['validate'], ['init', '-o', join(dir, 'guessed.json')]]) {
      const run = await eventload(dir, [...command, file, ...(command[0] === 'validate' ? ['-m', mapping] : [])]);
      expect(run.code, run.stdout).toBe(2);
      expect(run.stderr).toMatch(/^eventload: EL_ENCODING_NOT_UTF8: .*in\.csv: is not UTF-8 .*looks like Latin-1 \/ Windows-1252: pass --encoding windows-1252/);
    }
    const run = await importInto(sandbox, dir, [file, '-m', mapping]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--encoding windows-1252');
    expect(sandbox.stats.ingestRequests).toBe(0);

    // init with the flag reads the file and writes the encoding into the mapping.
    const out = join(dir, 'guessed.json');
    const init = await eventload(dir, ['init', file, '--encoding', 'windows-1252', '-o', out]);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8')).reader).toEqual({ encoding: 'windows-1252' });
  });

  it('rejects a record with invalid UTF-8 with its reason code and line, and never counts it valid', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const { dir, mapping } = await setUp();
    const file = join(dir, 'in.csv');
    await writeFile(file, Buffer.concat([Buffer.from('id,ts,name\nORD-1,2024-03-01 10:00:00,fine\nORD-'), Buffer.from([0xc3]), Buffer.from('(,2024-03-01 10:00:01,x\nORD-3,2024-03-01 10:00:02,Größe\n')]));

    const validated = await eventload(dir, ['validate', file, '-m', mapping, '--reporter', 'json']);
    expect(validated.code, validated.stderr).toBe(1);
    const report = JSON.parse(validated.stdout);
    expect(report).toMatchObject({ read: 3, valid: 2, invalid: 1 });
    expect(report.errors).toEqual([expect.objectContaining({ line: 3, issues: [expect.objectContaining({ code: 'EL_ENCODING_INVALID_UTF8' })] })]);

    const run = await importInto(sandbox, dir, [file, '-m', mapping]);
    expect(run.code, run.stderr).toBe(1);
    expectAccounted(run.summary);
    expect(run.summary).toMatchObject({ read: 3, accepted: 2, rejectedLocal: 1 });
    expect(run.rejects).toEqual([expect.objectContaining({ line: 3, issues: [expect.objectContaining({ code: 'EL_ENCODING_INVALID_UTF8' })] })]);
    expect(receivedNames(sandbox.stats.stored)).toEqual(['Größe', 'fine']);
    expect(JSON.stringify(sandbox.stats.stored)).not.toContain('\uFFFD');
  });

  it('keeps characters split across read chunks whole, and finds invalid bytes split across them', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const { dir, mapping } = await setUp();
    // Reads are 32 KiB: put a valid two-byte "ü", then a lone lead byte, exactly on chunk boundaries past the head.
    const rows: Buffer[] = [Buffer.from('id,ts,name\n')];
    let size = rows[0]!.length;
    let n = 0;
    const add = (name: Buffer) => {
      const line = Buffer.concat([Buffer.from(`R-${++n},2024-03-01 10:00:00,`), name, Buffer.from('\n')]);
      rows.push(line);
      size += line.length;
      return line;
    };
    /** Filler rows, then a row whose name puts `marker` at byte `at` of the file. */
    const rowWith = (at: number, before: string, marker: Buffer, after: string) => {
      while (size + 300 < at) add(Buffer.from('x'.repeat(100)));
      const prefixLength = `R-${n + 1},2024-03-01 10:00:00,`.length;
      const pad = 'p'.repeat(at - size - prefixLength - before.length);
      return add(Buffer.concat([Buffer.from(pad + before), marker, Buffer.from(after)]));
    };
    rowWith(3 * 32768 - 1, 'Gr', Buffer.from('ü'), 'ße');
    const bad = rowWith(4 * 32768 - 1, 'ORD-', Buffer.from([0xc3]), '(');
    add(Buffer.from('last'));
    const bytes = Buffer.concat(rows);
    const file = join(dir, 'in.csv');
    await writeFile(file, bytes);
    // The boundaries fall where intended.
    expect(bytes.subarray(3 * 32768 - 2, 3 * 32768 + 2).toString('utf8')).toContain('rü');
    expect(bytes[4 * 32768 - 1]).toBe(0xc3);

    const run = await importInto(sandbox, dir, [file, '-m', mapping]);
    expect(run.code, run.stderr).toBe(1);
    expectAccounted(run.summary);
    expect(run.summary).toMatchObject({ read: n, accepted: n - 1, rejectedLocal: 1 });
    const badLine = rows.indexOf(bad) + 1;
    expect(run.rejects).toEqual([expect.objectContaining({ line: badLine, issues: [expect.objectContaining({ code: 'EL_ENCODING_INVALID_UTF8' })] })]);
    expect(sandbox.stats.stored.some((event) => String((event.body.properties as { name?: string } | undefined)?.name).endsWith('Grüße'))).toBe(true);
    expect(JSON.stringify(sandbox.stats.stored)).not.toContain('\uFFFD');
  });

  it('exits 2 for an unknown encoding name, on the command line and in the mapping', async () => {
    const { dir, mapping } = await setUp();
    const file = join(dir, 'in.csv');
    await writeFile(file, csv(NAMES));
    const flag = await eventload(dir, ['validate', file, '-m', mapping, '--encoding', 'latin-99']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^eventload: EL_ENCODING_UNKNOWN: --encoding: unknown encoding "latin-99"/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...MAPPING, reader: { encoding: 'klingon' } }));
    const fromMapping = await eventload(dir, ['validate', file, '-m', bad]);
    expect(fromMapping.code).toBe(2);
    expect(fromMapping.stderr).toContain('reader.encoding: unknown encoding "klingon"');
  });

  describe('the encoding an XML declaration names', () => {
    const NAMES_1252 = ['Vérifier “Größe”', 'Créer – €5', 'Ærø café'];
    const xes = (declaration: string, names: string[]) =>
      `${declaration}\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n<trace><string key="concept:name" value="case-1"/>\n${names
        .map((name, i) => `<event><string key="concept:name" value="${name}"/><date key="time:timestamp" value="2024-03-01T10:00:0${i}Z"/></event>`)
        .join('\n')}\n</trace></log>\n`;
    const receivedEvents = (stored: Array<{ body: Record<string, any> }>) => stored.map((event) => event.body.event).sort();

    it('reads an XES log in the encoding its declaration names, without --encoding (gzip, a second thread, UTF-16 without a BOM)', async () => {
      const sandbox = await sandboxes({ target: 'flowmyna' });
      const dir = await tempDir();
      const { gzipSync } = await import('node:zlib');
      const files = [
        ['latin1.xes', iconv.encode(xes('<?xml version="1.0" encoding="ISO-8859-1"?>', NAMES.slice(0, 3)), 'latin1')],
        ['cp1252.xes.gz', gzipSync(iconv.encode(xes("<?xml version='1.0' encoding='windows-1252' standalone='yes'?>", NAMES_1252), 'windows-1252'))],
        ['utf16.xes', iconv.encode(xes('<?xml version="1.0" encoding="UTF-16"?>', ['東京都', 'Müller']), 'utf-16le')],
      ] as const;
      for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
      expect(files[2][1].subarray(0, 4)).toEqual(Buffer.from('<?', 'utf16le')); // no BOM
      const run = await importInto(sandbox, dir, files.map(([name]) => join(dir, name)), { env: { EVENTLOAD_READER_THREAD: 'on' } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.summary).toMatchObject({ read: 8, accepted: 8, rejectedLocal: 0 });
      expect(receivedEvents(sandbox.stats.stored)).toEqual([...NAMES.slice(0, 3), ...NAMES_1252, '東京都', 'Müller'].sort());
    });

    it('lets --encoding win over the declaration, and still checks a file declared UTF-8', async () => {
      const sandbox = await sandboxes({ target: 'flowmyna' });
      const dir = await tempDir();
      // Declared Latin-1, written as UTF-8 (a declaration copied from a template): the flag corrects it.
      const mislabelled = join(dir, 'mislabelled.xes');
      await writeFile(mislabelled, xes('<?xml version="1.0" encoding="ISO-8859-1"?>', NAMES));
      const run = await importInto(sandbox, dir, [mislabelled, '--encoding', 'utf-8']);
      expect(run.code, run.stderr).toBe(0);
      expect(receivedEvents(sandbox.stats.stored)).toEqual([...NAMES].sort());
      // Declared UTF-8 but Latin-1 inside: the UTF-8 check stops it, as for any file.
      const latin = join(dir, 'latin.xes');
      await writeFile(latin, iconv.encode(xes('<?xml version="1.0" encoding="UTF-8"?>', NAMES), 'latin1'));
      const stopped = await eventload(dir, ['validate', latin]);
      expect(stopped.code).toBe(2);
      expect(stopped.stderr).toMatch(/^eventload: EL_ENCODING_NOT_UTF8: .*latin\.xes: is not UTF-8/);
    });

    it('exits 2 when the declaration names an encoding eventload does not know, before anything is sent', async () => {
      const sandbox = await sandboxes({ target: 'flowmyna' });
      const dir = await tempDir();
      const file = join(dir, 'odd.xes');
      await writeFile(file, xes('<?xml version="1.0" encoding="x-klingon-8"?>', ['plain']));
      const run = await importInto(sandbox, dir, [file]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^eventload: EL_ENCODING_UNKNOWN: .*odd\.xes: its XML declaration names encoding "x-klingon-8", which eventload does not know; pass --encoding/);
      expect(sandbox.stats.ingestRequests).toBe(0);
      // The flag names the real one.
      const read = await eventload(dir, ['validate', file, '--encoding', 'latin1']);
      expect(read.code, read.stderr).toBe(0);
    });
  });

  it('stops a workbook, an archive, Parquet, PDF or a compressed file not named .gz before reading (exit 2), saying what to do', async () => {
    const sandbox = await sandboxes({ target: 'flowmyna' });
    const { dir, mapping } = await setUp();
    const { gzipSync } = await import('node:zlib');
    const files: Array<[string, Buffer, RegExp]> = [
      ['orders.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), Buffer.alloc(200, 0x9c)]), /is a ZIP archive \(as an Excel \.xlsx .*workbook is\).*save it as "CSV UTF-8"/],
      ['orders.xls', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(200, 0xff)]), /is an Excel 97-2003 workbook/],
      ['orders.csv', gzipSync(csv(NAMES)), /is gzip-compressed.*name it with \.gz at the end/],
      ['orders.parquet', Buffer.concat([Buffer.from('PAR1\x15\x04', 'latin1'), Buffer.alloc(100, 0x88)]), /is a Parquet file/],
      ['orders.pdf', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), /is a PDF document/],
    ];
    for (const [name, bytes, message] of files) {
      await writeFile(join(dir, name), bytes);
      const run = await importInto(sandbox, dir, [join(dir, name), '-m', mapping]);
      expect(run.code, name).toBe(2);
      expect(run.stderr, name).toMatch(/^eventload: EL_INPUT_BINARY: /);
      expect(run.stderr, name).toMatch(message);
      expect(run.stderr, name).toContain('nothing was sent');
    }
    expect(sandbox.stats.ingestRequests).toBe(0);
    // Text that merely starts like one (a header "PAR1,PAR2") is read.
    await writeFile(join(dir, 'params.csv'), 'PAR1,id,ts,name\n7,ORD-1,2024-03-01 10:00:00,x\n');
    const params = await importInto(sandbox, dir, [join(dir, 'params.csv'), '-m', mapping]);
    expect(params.code, params.stderr).toBe(0);
  });
});
