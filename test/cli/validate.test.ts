// `eventload validate` end to end: the real CLI on real files, its output, exit codes and rejects file.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadMapping, parseMapping } from '../../src/mapping/load.js';
import { readEvents, type PipelineItem } from '../../src/pipeline/read-events.js';
import { corpus, fixture, hasCorpus, root, runCli, withTempDir } from '../helpers.js';

const ordersMapping = fixture('orders.mapping.json');
const simpleMapping = { event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] };
const canonicalLine = (id: string, timestamp = '2024-05-02T08:05:00Z') => JSON.stringify({ event: 'Invoice sent', timestamp, objects: [{ type: 'Invoice', id }] });

const MISTAKES = [
  'fixtures/orders-mistakes.csv:3: EL_TIMESTAMP_MISSING: timestamp: is required, but column "created_at" is empty (a historical import never uses "now")',
  'fixtures/orders-mistakes.csv:4: EL_TIMESTAMP_INVALID: timestamp: column "created_at": "02/04/2024 10:00" is not an ISO 8601 date-time',
  'fixtures/orders-mistakes.csv:5: EL_VALUE_NOT_NUMBER: objects[0].properties.amount: column "amount": "ten" is not a number',
  'fixtures/orders-mistakes.csv:6: EL_FIELD_LENGTH: objects[1].id: must be 1-500 characters',
  'fixtures/orders-mistakes.csv:8: EL_CSV_FIELD_COUNT: csv: has 6 fields but the header has 10',
  'fixtures/orders-mistakes.csv:10: EL_VALUE_NOT_INTEGER: properties.item_count: column "item_count": "2.5" is not an integer',
];

/** After the listed records: the totals per reason code, each with its first record. */
const TOTALS = [
  '  1 × EL_TIMESTAMP_MISSING (first at line 3 of fixtures/orders-mistakes.csv: timestamp: is required, but column "created_at" is empty (a historical import never uses "now"))',
  '  1 × EL_TIMESTAMP_INVALID (first at line 4 of fixtures/orders-mistakes.csv: timestamp: column "created_at": "02/04/2024 10:00" is not an ISO 8601 date-time)',
  '  1 × EL_VALUE_NOT_NUMBER (first at line 5 of fixtures/orders-mistakes.csv: objects[0].properties.amount: column "amount": "ten" is not a number)',
  '  1 × EL_FIELD_LENGTH (first at line 6 of fixtures/orders-mistakes.csv: objects[1].id: must be 1-500 characters)',
  '  1 × EL_CSV_FIELD_COUNT (first at line 8 of fixtures/orders-mistakes.csv: csv: has 6 fields but the header has 10)',
  '  1 × EL_VALUE_NOT_INTEGER (first at line 10 of fixtures/orders-mistakes.csv: properties.item_count: column "item_count": "2.5" is not an integer)',
];

/** A configuration error: exit 2, one line on stderr, no stack trace, nothing on stdout. */
function expectConfigError(result: { code: number | null; stdout: string; stderr: string }, code: string, message: string | RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.split('\n')).toHaveLength(2);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const prefix = `eventload: ${code}: `;
  expect(result.stderr.slice(0, prefix.length), result.stderr).toBe(prefix);
  const rest = result.stderr.slice(prefix.length);
  if (typeof message === 'string') expect(rest).toBe(`${message}\n`);
  else expect(rest).toMatch(message);
}

async function collect(options: Parameters<typeof readEvents>[0]): Promise<PipelineItem[]> {
  const items: PipelineItem[] = [];
  for await (const item of readEvents(options)) items.push(item);
  return items;
}

describe.concurrent('validate: valid input', () => {
  it('exits 0 with the summary when every record is valid (orders fixture)', async () => {
    const result = await runCli(['validate', 'fixtures/orders.csv', '--mapping', 'fixtures/orders.mapping.json']);
    expect(result).toMatchObject({ code: 0, stdout: '8 records read: 8 valid, 0 invalid\n', stderr: '' });
  });

  it('validates a canonical NDJSON file without a mapping', async () => {
    const result = await runCli(['validate', 'fixtures/events.ndjson']);
    expect(result).toMatchObject({ code: 0, stdout: '4 records read: 4 valid, 0 invalid\n', stderr: '' });
  });

  it('writes no rejects file when nothing is rejected', async () => {
    await withTempDir(async (dir) => {
      const rejects = join(dir, 'rejects.ndjson');
      const result = await runCli(['validate', 'fixtures/orders.csv', '-m', ordersMapping, '--rejects', rejects]);
      expect(result.code).toBe(0);
      expect(existsSync(rejects)).toBe(false);
    });
  });
});

describe.concurrent('validate: invalid records', () => {
  it('prints FILE:LINE: field.path: message for each invalid record, then the counts, and exits 1', async () => {
    const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json']);
    expect(result.stdout).toBe(`${MISTAKES.join('\n')}\n9 records read: 3 valid, 6 invalid\n${TOTALS.join('\n')}\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
  });

  it('stops listing after --max-errors but counts every record', async () => {
    const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json', '--max-errors', '2']);
    expect(result.stdout).toBe(`${MISTAKES.slice(0, 2).join('\n')}\n9 records read: 3 valid, 6 invalid (4 more not listed, --max-errors 2)\n${TOTALS.join('\n')}\n`);
    expect(result.code).toBe(1);
  });

  it('lists every invalid record with --max-errors 0', async () => {
    const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json', '--max-errors', '0']);
    expect(result.stdout).toBe(`${MISTAKES.join('\n')}\n9 records read: 3 valid, 6 invalid\n${TOTALS.join('\n')}\n`);
    expect(result.code).toBe(1);
  });

  it('reports as JSON with --reporter json, or --json: the listed records and the totals by reason code', async () => {
    const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json', '--reporter', 'json', '--max-errors', '4']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    const json = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json', '--json', '--max-errors', '4']);
    expect(json.stdout).toBe(result.stdout);
    const example = (line: number, message: string) => ({ file: 'fixtures/orders-mistakes.csv', line, message });
    expect(report).toEqual({
      command: 'validate',
      files: ['fixtures/orders-mistakes.csv'],
      read: 9,
      valid: 3,
      invalid: 6,
      skipped: 0,
      otherShards: 0, // read = valid + invalid + skipped + otherShards, sharded or not
      errorsListed: 4,
      rejects: null,
      rejectedByReason: [
        { code: 'EL_TIMESTAMP_MISSING', count: 1, example: example(3, 'timestamp: is required, but column "created_at" is empty (a historical import never uses "now")') },
        { code: 'EL_TIMESTAMP_INVALID', count: 1, example: example(4, 'timestamp: column "created_at": "02/04/2024 10:00" is not an ISO 8601 date-time') },
        { code: 'EL_VALUE_NOT_NUMBER', count: 1, example: example(5, 'objects[0].properties.amount: column "amount": "ten" is not a number') },
        { code: 'EL_FIELD_LENGTH', count: 1, example: example(6, 'objects[1].id: must be 1-500 characters') },
        { code: 'EL_CSV_FIELD_COUNT', count: 1, example: example(8, 'csv: has 6 fields but the header has 10') },
        { code: 'EL_VALUE_NOT_INTEGER', count: 1, example: example(10, 'properties.item_count: column "item_count": "2.5" is not an integer') },
      ],
      errors: [
        { file: 'fixtures/orders-mistakes.csv', line: 3, stage: 'map', code: 'EL_TIMESTAMP_MISSING', issues: [{ path: 'timestamp', message: 'is required, but column "created_at" is empty (a historical import never uses "now")', code: 'EL_TIMESTAMP_MISSING' }] },
        { file: 'fixtures/orders-mistakes.csv', line: 4, stage: 'map', code: 'EL_TIMESTAMP_INVALID', issues: [{ path: 'timestamp', message: 'column "created_at": "02/04/2024 10:00" is not an ISO 8601 date-time', code: 'EL_TIMESTAMP_INVALID' }] },
        { file: 'fixtures/orders-mistakes.csv', line: 5, stage: 'map', code: 'EL_VALUE_NOT_NUMBER', issues: [{ path: 'objects[0].properties.amount', message: 'column "amount": "ten" is not a number', code: 'EL_VALUE_NOT_NUMBER' }] },
        { file: 'fixtures/orders-mistakes.csv', line: 6, stage: 'validate', code: 'EL_FIELD_LENGTH', issues: [{ path: 'objects[1].id', message: 'must be 1-500 characters', code: 'EL_FIELD_LENGTH' }] },
      ],
    });
  });

  it('prints GitHub Actions annotations with --reporter github', async () => {
    const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json', '--reporter', 'github', '--max-errors', '2']);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual([
      '::error file=fixtures/orders-mistakes.csv,line=3,title=EL_TIMESTAMP_MISSING (map)::timestamp: is required, but column "created_at" is empty (a historical import never uses "now")',
      '::error file=fixtures/orders-mistakes.csv,line=4,title=EL_TIMESTAMP_INVALID (map)::timestamp: column "created_at": "02/04/2024 10:00" is not an ISO 8601 date-time',
    ]);
    expect(result.code).toBe(1);
  });

  it('escapes %, line breaks and the property separators in annotations', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify({ ...simpleMapping, properties: { share: { column: 'share', as: 'number' } } }));
      await writeFile(join(dir, 'a,b:c.csv'), 'case,activity,at,share\nC1,a,2024-01-01T10:00:00Z,"50%\nof it"\n');
      const result = await runCli(['validate', 'a,b:c.csv', '-m', 'm.json', '--reporter', 'github'], { cwd: dir });
      expect(result.stdout.split('\n')[0]).toBe('::error file=a%2Cb%3Ac.csv,line=2,title=EL_VALUE_NOT_NUMBER (map)::properties.share: column "share": "50%25%0Aof it" is not a number');
    });
  });

  it('writes each rejected record to --rejects with its original row, position, stage and reason', async () => {
    await withTempDir(async (dir) => {
      const rejects = join(dir, 'rejects.ndjson');
      const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', ordersMapping, '--rejects', rejects]);
      expect(result.stdout).toBe(`${MISTAKES.join('\n')}\n9 records read: 3 valid, 6 invalid\n${TOTALS.join('\n')}\nrejected records written to ${rejects}\n`);
      const [header, ...lines] = (await readFile(rejects, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(header).toMatchObject({ run: { command: 'validate', files: ['fixtures/orders-mistakes.csv'] } });
      expect(lines.map((line) => [line.line, line.stage])).toEqual([
        [3, 'map'],
        [4, 'map'],
        [5, 'map'],
        [6, 'validate'],
        [8, 'read'],
        [10, 'map'],
      ]);
      expect(lines[0]).toEqual({
        file: 'fixtures/orders-mistakes.csv',
        line: 3,
        stage: 'map',
        code: 'EL_TIMESTAMP_MISSING',
        reason: 'timestamp: is required, but column "created_at" is empty (a historical import never uses "now")',
        issues: [{ path: 'timestamp', message: 'is required, but column "created_at" is empty (a historical import never uses "now")', code: 'EL_TIMESTAMP_MISSING' }],
        record: {
          order_id: 'SO-2002',
          status: 'placed',
          created_at: '',
          customer_id: 'C-41',
          customer_name: 'Missing Time AG',
          sales_rep: 'u-ana',
          amount: '10.00',
          currency: 'EUR',
          item_count: '1',
          note: 'timestamp is empty',
        },
      });
      // The 612-character id: the record and the event it became, so it can be fixed and resent.
      expect(lines[3]).toMatchObject({ reason: 'objects[1].id: must be 1-500 characters', record: { order_id: 'SO-2005' }, event: { event: 'Order placed', timestamp: '2024-04-02T10:06:00+02:00' } });
      expect(((lines[3]!.record as Record<string, string>).customer_id ?? '').length).toBe(612);
      // A row the reader could not split: the original text.
      expect(lines[4]).toEqual({
        file: 'fixtures/orders-mistakes.csv',
        line: 8,
        stage: 'read',
        code: 'EL_CSV_FIELD_COUNT',
        reason: 'csv: has 6 fields but the header has 10',
        issues: [{ path: 'csv', message: 'has 6 fields but the header has 10', code: 'EL_CSV_FIELD_COUNT' }],
        raw: 'SO-2007,placed,2024-04-02 10:08:00,C-45,Short Row,u-ana',
      });
    });
  });

  it('applies the actor rule with --target immutable', async () => {
    const result = await runCli(['validate', 'fixtures/orders-mistakes.csv', '-m', 'fixtures/orders.mapping.json', '--target', 'immutable']);
    expect(result.stdout).toContain('fixtures/orders-mistakes.csv:7: EL_IMMUTABLE_NO_ACTOR: actor: immutable needs an actor: map "actor", or qualify an object as actor, initiator or performer\n');
    expect(result.stdout).toContain('\n9 records read: 2 valid, 7 invalid\n');
    expect(result.stdout).toContain('\n  1 × EL_IMMUTABLE_NO_ACTOR (first at line 7 of fixtures/orders-mistakes.csv: actor: immutable needs an actor');
    expect(result.code).toBe(1);
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'events.ndjson'), `${canonicalLine('INV-1')}\n`);
      const immutable = await runCli(['validate', 'events.ndjson', '--target', 'immutable'], { cwd: dir });
      expect(immutable.stdout).toBe('events.ndjson:1: EL_IMMUTABLE_NO_ACTOR: actor: immutable needs an actor: map "actor", or qualify an object as actor, initiator or performer\n1 records read: 0 valid, 1 invalid\n  1 × EL_IMMUTABLE_NO_ACTOR (first at line 1 of events.ndjson: actor: immutable needs an actor: map "actor", or qualify an object as actor, initiator or performer)\n');
      const flowmyna = await runCli(['validate', 'events.ndjson', '--target', 'flowmyna'], { cwd: dir });
      expect(flowmyna).toMatchObject({ code: 0, stdout: '1 records read: 1 valid, 0 invalid\n' });
    });
  });
});

describe.concurrent('validate: configuration errors exit 2 with one line', () => {
  it('rejects an unknown target', async () => {
    expectConfigError(await runCli(['validate', 'fixtures/events.ndjson', '--target', 'nowhere']), 'EL_TARGET_UNKNOWN', /^unknown target "nowhere" \(known: [a-z, ]+\)\n$/);
  });

  it('rejects an unknown time zone in --timezone', async () => {
    expectConfigError(
      await runCli(['validate', 'fixtures/orders.csv', '-m', ordersMapping, '--timezone', 'Mars/Olympus_Mons']),
      'EL_TIMEZONE_UNKNOWN', '--timezone: unknown time zone "Mars/Olympus_Mons" (use an IANA name such as Europe/Berlin)',
    );
  });

  it('rejects an unknown time zone in the mapping, naming the file', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify({ ...simpleMapping, timestamp: { column: 'at', timezone: 'Europe/Atlantis' } }));
      await writeFile(join(dir, 'log.csv'), 'case,activity,at\nC1,a,2024-01-01 10:00\n');
      expectConfigError(await runCli(['validate', 'log.csv', '-m', 'm.json'], { cwd: dir }), 'EL_MAPPING', 'm.json: timestamp.timezone: unknown time zone "Europe/Atlantis" (use an IANA name such as Europe/Berlin)');
    });
  });

  it('rejects a mapping that is not valid JSON, naming the file', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), '{"event": "activity",');
      await writeFile(join(dir, 'log.csv'), 'case,activity,at\n');
      expectConfigError(await runCli(['validate', 'log.csv', '-m', 'm.json'], { cwd: dir }), 'EL_MAPPING_NOT_JSON', /^m\.json: mapping file is not valid JSON \(.+\)\n$/);
    });
  });

  it('rejects a mapping with an unknown key or a wrong type, naming the file and the field', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'unknown.json'), JSON.stringify({ ...simpleMapping, objekts: [] }));
      await writeFile(join(dir, 'type.json'), JSON.stringify({ ...simpleMapping, objects: [{ type: 'kind', id: 42 }] }));
      await writeFile(join(dir, 'log.csv'), 'case,activity,at\n');
      expectConfigError(await runCli(['validate', 'log.csv', '-m', 'unknown.json'], { cwd: dir }), 'EL_MAPPING', 'unknown.json: unknown key "objekts"');
      expectConfigError(
        await runCli(['validate', 'log.csv', '-m', 'type.json'], { cwd: dir }),
        'EL_MAPPING', 'type.json: objects[0].id: expected a column name, {"column": ...}, {"const": ...} or {"template": ...}',
      );
    });
  });

  it('rejects a mapping that names a column the file lacks, before reading any row', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify({ ...simpleMapping, properties: { cost: 'costs' } }));
      // Every row is broken; none is reported because none is read.
      await writeFile(join(dir, 'log.csv'), 'case,activity,at\nC1,,\nC2,"unclosed\n');
      const result = await runCli(['validate', 'log.csv', '-m', 'm.json', '--rejects', 'rejects.ndjson'], { cwd: dir });
      expectConfigError(result, 'EL_MISSING_COLUMN', 'm.json names column "costs" that log.csv does not have (it has: case, activity, at)');
      expect(existsSync(join(dir, 'rejects.ndjson'))).toBe(false);
    });
  });

  it('rejects a missing input file (an unexpanded pattern too), a folder and a missing mapping file', async () => {
    expectConfigError(await runCli(['validate', 'nope.csv', '-m', ordersMapping]), 'EL_INPUT_UNREADABLE', 'nope.csv: cannot read file (ENOENT)');
    // A pattern that reached eventload unexpanded (quoted, or matching nothing) says so.
    expectConfigError(await runCli(['validate', 'fixtures/*.csv', '-m', ordersMapping]), 'EL_INPUT_UNREADABLE', 'fixtures/*.csv: cannot read file (ENOENT): eventload does not expand patterns; leave it unquoted for the shell to expand, or name the files');
    expectConfigError(await runCli(['validate', 'fixtures', '-m', ordersMapping]), 'EL_INPUT_IS_FOLDER', 'fixtures: is a folder, not a file');
    expectConfigError(await runCli(['validate', 'fixtures/orders.csv', '-m', 'nope.json']), 'EL_MAPPING_UNREADABLE', 'nope.json: cannot read mapping file (ENOENT)');
  });

  it('rejects CSV input without a mapping', async () => {
    expectConfigError(await runCli(['validate', 'fixtures/orders.csv']), 'EL_MAPPING_REQUIRED', /^fixtures\/orders\.csv: CSV input needs a mapping file \(--mapping FILE\)/);
  });

  it('says what a given mapping lacks for CSV input, instead of asking for a mapping file', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'actor.json'), JSON.stringify({ actor: { id: { const: 'baw-system' } } }));
      await writeFile(join(dir, 'log.csv'), 'case,activity,at\nC1,a,2024-01-01T10:00:00Z\n');
      expectConfigError(
        await runCli(['validate', 'log.csv', '-m', 'actor.json'], { cwd: dir }),
        'EL_MAPPING_REQUIRED', 'log.csv: the mapping actor.json maps only actor; CSV input has no default mapping, so it must map "event", "timestamp" and "objects" (`eventload init log.csv` writes a starting one)',
      );
    });
  });

  it('rejects an unknown option and an unknown reporter in one eventload: line', async () => {
    expectConfigError(await runCli(['validate', 'fixtures/events.ndjson', '--colour']), 'EL_USAGE', "unknown option '--colour' (see eventload validate --help)");
    expectConfigError(
      await runCli(['validate', 'fixtures/events.ndjson', '--reporter', 'xml']),
      'EL_USAGE', "option '--reporter <name>' argument 'xml' is invalid. Allowed choices are text, json, github, junit. (see eventload validate --help)",
    );
  });

  it('says what is wrong with a --max-errors that is not a whole number', async () => {
    const result = await runCli(['validate', 'fixtures/events.ndjson', '--max-errors', 'ten']);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: `eventload: EL_USAGE: option '--max-errors <n>' argument 'ten' is invalid. expected a whole number, got "ten" (see eventload validate --help)\n` });
  });

  it('rejects a file whose format cannot be told, and an unknown --format', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'events.data'), `${canonicalLine('INV-1')}\n`);
      expectConfigError(await runCli(['validate', 'events.data'], { cwd: dir }), 'EL_FORMAT_UNDETECTED', /^events\.data: cannot tell the format from the file name; pass --format \(.*csv.*ndjson.*\)\n$/);
      expectConfigError(await runCli(['validate', 'events.data', '--format', 'xml'], { cwd: dir }), 'EL_FORMAT_UNKNOWN', /^unknown format "xml" \(known: .*csv.*ndjson.*\)\n$/);
    });
  });

  it('accepts standard input only once', async () => {
    expectConfigError(await runCli(['validate', '-', '-'], { input: `${canonicalLine('INV-1')}\n` }), 'EL_STDIN_TWICE', 'standard input (-) can be named only once');
  });
});

describe.concurrent('validate: help and version', () => {
  it('shows examples and exit codes in validate --help', async () => {
    const result = await runCli(['validate', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: eventload validate [options] [files...]');
    expect(result.stdout).toContain('Examples:\n  $ eventload validate fixtures/orders-mistakes.csv --mapping fixtures/orders.mapping.json');
    expect(result.stdout).toContain('Exit codes: 0 all valid, 1 some records invalid (or --max-error-rate exceeded), 2 usage or configuration error.');
    for (const flag of ['--mapping', '--format', '--timezone', '--target', '--reporter', '--max-errors', '--rejects']) expect(result.stdout).toContain(flag);
  });

  it('prints the package version with --version', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe.concurrent('validate: inputs', () => {
  it('reads CSV from standard input with -', async () => {
    const result = await runCli(['validate', '-', '-m', ordersMapping], { input: await readFile(fixture('orders-mistakes.csv'), 'utf8') });
    const stdin = (lines: string[]) => lines.map((line) => line.replace('fixtures/orders-mistakes.csv', '-')).join('\n');
    expect(result.stdout).toBe(`${stdin(MISTAKES)}\n9 records read: 3 valid, 6 invalid\n${stdin(TOTALS)}\n`);
    expect(result.code).toBe(1);
  });

  it('reads NDJSON from standard input, told by its content', async () => {
    const result = await runCli(['validate', '-'], { input: `${canonicalLine('INV-1')}\n{oops\n` });
    expect(result.stdout).toMatch(/^-:2: EL_JSON_INVALID: json: invalid JSON: .+\n2 records read: 1 valid, 1 invalid\n  1 × EL_JSON_INVALID \(first at line 2 of -: json: invalid JSON: .+\)\n$/);
    expect(result.code).toBe(1);
  });

  it('reads standard input larger than the detection head', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => canonicalLine(`INV-${i}`));
    lines[2500] = '[]';
    const result = await runCli(['validate', '-', '--format', 'ndjson'], { input: `${lines.join('\n')}\n` });
    expect(result.stdout).toBe('-:2501: EL_JSON_NOT_OBJECT: record: must be a JSON object, got an array\n3000 records read: 2999 valid, 1 invalid\n  1 × EL_JSON_NOT_OBJECT (first at line 2501 of -: record: must be a JSON object, got an array)\n');
  });

  it('takes the format from the extension, or from --format', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(simpleMapping));
      await writeFile(join(dir, 'log.tsv'), 'case\tactivity\tat\nC1\ta\t2024-01-01T10:00:00Z\n');
      await writeFile(join(dir, 'events.jsonl'), `${canonicalLine('INV-1')}\n`);
      await writeFile(join(dir, 'events.log'), `${canonicalLine('INV-1')}\n${canonicalLine('INV-2')}\n`);
      await writeFile(join(dir, 'log.data'), 'case;activity;at\nC1;a;2024-01-01T10:00:00Z\n');
      expect((await runCli(['validate', 'log.tsv', '-m', 'm.json'], { cwd: dir })).stdout).toBe('1 records read: 1 valid, 0 invalid\n');
      expect((await runCli(['validate', 'events.jsonl'], { cwd: dir })).stdout).toBe('1 records read: 1 valid, 0 invalid\n');
      expect((await runCli(['validate', 'events.log', '--format', 'ndjson'], { cwd: dir })).stdout).toBe('2 records read: 2 valid, 0 invalid\n');
      expect((await runCli(['validate', 'log.data', '-f', 'csv', '-m', 'm.json'], { cwd: dir })).stdout).toBe('1 records read: 1 valid, 0 invalid\n');
    });
  });

  it('reads a gzip-compressed file', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'events.ndjson.gz'), gzipSync(`${canonicalLine('INV-1')}\n[]\n`));
      const result = await runCli(['validate', 'events.ndjson.gz'], { cwd: dir });
      expect(result.stdout).toBe('events.ndjson.gz:2: EL_JSON_NOT_OBJECT: record: must be a JSON object, got an array\n2 records read: 1 valid, 1 invalid\n  1 × EL_JSON_NOT_OBJECT (first at line 2 of events.ndjson.gz: record: must be a JSON object, got an array)\n');
    });
  });

  it('validates several files in one run, naming each in its errors', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'in'));
      await writeFile(join(dir, 'in', 'a.ndjson'), `${canonicalLine('INV-1')}\n${canonicalLine('')}\n`);
      await writeFile(join(dir, 'in', 'b.ndjson'), `${canonicalLine('INV-2')}\n\n${canonicalLine('INV-3', 'yesterday')}\n`);
      const result = await runCli(['validate', 'in/a.ndjson', 'in/b.ndjson'], { cwd: dir });
      expect(result.stdout).toBe(
        [
          'in/a.ndjson:2: EL_FIELD_LENGTH: objects[0].id: must be 1-500 characters',
          'in/b.ndjson:3: EL_TIMESTAMP_INVALID: timestamp: "yesterday" is not an ISO 8601 date-time',
          '4 records read: 2 valid, 2 invalid',
          '  1 × EL_FIELD_LENGTH (first at line 2 of in/a.ndjson: objects[0].id: must be 1-500 characters)',
          '  1 × EL_TIMESTAMP_INVALID (first at line 3 of in/b.ndjson: timestamp: "yesterday" is not an ISO 8601 date-time)',
          '',
        ].join('\n'),
      );
      expect(result.code).toBe(1);
    });
  });
});

describe.concurrent('validate: timestamps', () => {
  it('rejects zone-less timestamps without a time zone, and accepts them with --timezone', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(simpleMapping));
      await writeFile(join(dir, 'log.csv'), 'case,activity,at\nC1,a,2024-03-31 01:30:00\nC1,b,2024-03-31 02:30:00\nC1,c,2024-10-27 02:30:00\nC1,d,1711846800\n');
      const without = await runCli(['validate', 'log.csv', '-m', 'm.json'], { cwd: dir });
      expect(without.stdout).toBe(
        [
          'log.csv:2: EL_TIMESTAMP_NO_ZONE: timestamp: column "at": "2024-03-31 01:30:00" has no time zone; set "timezone" in the mapping or pass --timezone',
          'log.csv:3: EL_TIMESTAMP_NO_ZONE: timestamp: column "at": "2024-03-31 02:30:00" has no time zone; set "timezone" in the mapping or pass --timezone',
          'log.csv:4: EL_TIMESTAMP_NO_ZONE: timestamp: column "at": "2024-10-27 02:30:00" has no time zone; set "timezone" in the mapping or pass --timezone',
          '4 records read: 1 valid, 3 invalid',
          '  3 × EL_TIMESTAMP_NO_ZONE (first at line 2 of log.csv: timestamp: column "at": "2024-03-31 01:30:00" has no time zone; set "timezone" in the mapping or pass --timezone)',
          '',
        ].join('\n'),
      );
      const berlin = await runCli(['validate', 'log.csv', '-m', 'm.json', '--timezone', 'Europe/Berlin'], { cwd: dir });
      expect(berlin.stdout).toBe(
        'log.csv:3: EL_TIMESTAMP_NONEXISTENT: timestamp: column "at": "2024-03-31 02:30:00" does not exist in Europe/Berlin (skipped by a daylight-saving change)\n4 records read: 3 valid, 1 invalid\n  1 × EL_TIMESTAMP_NONEXISTENT (first at line 3 of log.csv: timestamp: column "at": "2024-03-31 02:30:00" does not exist in Europe/Berlin (skipped by a daylight-saving change))\n',
      );
    });
  });

  it('rejects a record without a timestamp in NDJSON', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'events.ndjson'), `${JSON.stringify({ event: 'x', objects: [{ type: 'T', id: '1' }] })}\n`);
      const result = await runCli(['validate', 'events.ndjson'], { cwd: dir });
      expect(result.stdout).toBe('events.ndjson:1: EL_TIMESTAMP_MISSING: timestamp: is required (a historical import never uses "now")\n1 records read: 0 valid, 1 invalid\n  1 × EL_TIMESTAMP_MISSING (first at line 1 of events.ndjson: timestamp: is required (a historical import never uses "now"))\n');
    });
  });

  it('converts the orders fixture across both 2024 DST changes in Europe/Berlin', async () => {
    const items = await collect({ files: [fixture('orders.csv')], mapping: await loadMapping(ordersMapping) });
    expect(items.map((item) => (item.kind === 'event' ? `${item.position.line} ${item.event.timestamp}` : item.kind))).toEqual([
      '2 2024-03-01T09:15:00+01:00',
      '3 2024-03-01T11:02:31+01:00',
      '4 2024-03-09T16:45:00+01:00',
      '5 2024-03-12T08:30:00+01:00',
      '7 2024-03-31T01:59:59+01:00',
      '8 2024-03-31T03:00:00+02:00',
      '9 2024-10-27T02:30:00+02:00',
      '10 2024-10-27T03:30:00+01:00',
    ]);
  });

  it('lets --timezone win over the time zone in the mapping', async () => {
    const items = await collect({ files: [fixture('orders.csv')], mapping: await loadMapping(ordersMapping), timezone: 'America/New_York' });
    const first = items[0]!;
    expect(first.kind === 'event' && first.event.timestamp).toBe('2024-03-01T09:15:00-05:00');
  });
});

describe.skipIf(!hasCorpus)('process-mining corpus (skipped: ../shared/corpus is not present)', () => {
  const runningExample = {
    event: 'concept:name',
    timestamp: 'time:timestamp',
    objects: [
      { type: { const: 'Case' }, id: 'case:concept:name', qualifier: { const: 'case' } },
      { type: { const: 'Resource' }, id: 'org:resource', qualifier: { const: 'performer' } },
    ],
    properties: { row: { column: 'column_1', as: 'integer' }, costs: { column: 'Costs', as: 'number' }, creator: 'case:creator' },
    actor: { id: 'org:resource' },
  };
  const sepsis = {
    event: 'Activity',
    timestamp: { column: 'Complete Timestamp', format: 'yyyy/MM/dd HH:mm:ss.SSS' },
    objects: [{ type: { const: 'Case' }, id: 'Case ID' }],
    properties: { age: { column: 'Age', as: 'integer' }, infection_suspected: { column: 'InfectionSuspected', as: 'boolean' }, group: 'org:group' },
  };

  it('validates the pm4py running example (empty first header cell) with every row valid', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(runningExample));
      const result = await runCli(['validate', corpus('process-mining/pm4py_running-example.csv'), '-m', join(dir, 'm.json')]);
      expect(result).toMatchObject({ code: 0, stdout: '42 records read: 42 valid, 0 invalid\n', stderr: '' });
    });
  });

  it('maps the running example rows as written, the space before the offset becoming T', async () => {
    const items = await collect({ files: [corpus('process-mining/pm4py_running-example.csv')], mapping: parseMapping(runningExample, 'm.json') });
    expect(items).toHaveLength(42);
    expect(items[0]).toMatchObject({
      kind: 'event',
      position: { line: 2 },
      event: {
        event: 'register request',
        timestamp: '2010-12-30T14:32:00+01:00',
        objects: [
          { type: 'Case', id: '3', qualifier: 'case' },
          { type: 'Resource', id: 'Pete', qualifier: 'performer' },
        ],
        properties: { row: 0, costs: 50, creator: 'Fluxicon Nitro' },
        actor: { id: 'Pete' },
      },
    });
  });

  it('validates the sepsis log (";" and yyyy/MM/dd timestamps) with --timezone', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(sepsis));
      const file = corpus('process-mining/eventdataR_sepsis_head.csv');
      const result = await runCli(['validate', file, '-m', join(dir, 'm.json'), '--timezone', 'Europe/Amsterdam']);
      expect(result).toMatchObject({ code: 0, stdout: '1179 records read: 1179 valid, 0 invalid\n', stderr: '' });
      const without = await runCli(['validate', file, '-m', join(dir, 'm.json'), '--max-errors', '1']);
      expect(without.stdout).toBe(
        `${file}:2: EL_TIMESTAMP_NO_ZONE: timestamp: column "Complete Timestamp": "2014/10/22 11:15:41.000" has no time zone; set "timezone" in the mapping or pass --timezone\n1179 records read: 0 valid, 1179 invalid (1178 more not listed, --max-errors 1)\n  1179 × EL_TIMESTAMP_NO_ZONE (first at line 2 of ${file}: timestamp: column "Complete Timestamp": "2014/10/22 11:15:41.000" has no time zone; set "timezone" in the mapping or pass --timezone)\n`,
      );
      expect(without.code).toBe(1);
    });
  });

  it('converts sepsis timestamps to the Amsterdam offset of their date', async () => {
    const items = await collect({ files: [corpus('process-mining/eventdataR_sepsis_head.csv')], mapping: parseMapping(sepsis, 'm.json'), timezone: 'Europe/Amsterdam' });
    expect(items[0]).toMatchObject({ kind: 'event', event: { event: 'ER Registration', timestamp: '2014-10-22T11:15:41+02:00', properties: { age: 85, infection_suspected: true, group: 'A' } } });
  });

  it('keeps the receipt log microseconds byte for byte', async () => {
    const mapping = parseMapping({ event: 'concept:name', timestamp: 'time:timestamp', objects: [{ type: { const: 'Case' }, id: 'case:concept:name' }] }, 'm.json');
    const items = await collect({ files: [corpus('process-mining/pm4py_receipt_head.csv')], mapping });
    expect(items).toHaveLength(798);
    expect(items.every((item) => item.kind === 'event')).toBe(true);
    expect(items[0]).toMatchObject({ event: { timestamp: '2011-10-11T13:45:40.276000+02:00' } });
  });
});
