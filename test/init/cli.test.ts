// `eventload init` end to end: the real CLI writes a mapping that the real `validate` accepts as it
// is, for every process-mining log in the shared corpus and for small files of our own.
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpus, fixture, hasCorpus, runCli, withTempDir } from '../helpers.js';

/** init, then validate with what it wrote: both must succeed with every record valid. */
async function initThenValidate(input: string, dir: string, extra: string[] = []): Promise<{ mapping: Record<string, unknown>; stderr: string }> {
  const out = join(dir, 'guessed.mapping.json');
  const init = await runCli(['init', input, '--out', out, ...extra]);
  expect(init.stderr).not.toMatch(/internal error/);
  expect(init).toMatchObject({ code: 0, stdout: `${out}\n` });
  const validate = await runCli(['validate', input, '-m', out, ...extra]);
  expect(validate.code, validate.stdout + validate.stderr).toBe(0);
  expect(validate.stdout).toMatch(/^(\d+) records read: \1 valid, 0 invalid\n$/);
  return { mapping: JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>, stderr: init.stderr };
}

const processMining = hasCorpus ? readdirSync(corpus('process-mining')).filter((name) => name.endsWith('.csv')).sort() : ['(corpus absent)'];

describe.skipIf(!hasCorpus)('process-mining corpus: the generated mapping validates the whole file with no edits (skipped: ../shared/corpus is not present)', () => {
  it('has process-mining logs to try', () => {
    expect(processMining.length).toBeGreaterThanOrEqual(9);
  });

  it.concurrent.each(processMining)('%s', async (name) => {
    await withTempDir(async (dir) => {
      const { mapping, stderr } = await initThenValidate(corpus(`process-mining/${name}`), dir);
      expect(mapping.event).toBeTypeOf('string');
      expect(stderr).toMatch(/^eventload init: .*: looked at \d+ records\n/);
      expect(stderr).toMatch(/sampled records map to valid events/);
    });
  });

  it.concurrent('pm4py_receipt_head.csv: the XES columns, with case attributes on the case object', async () => {
    await withTempDir(async (dir) => {
      const { mapping } = await initThenValidate(corpus('process-mining/pm4py_receipt_head.csv'), dir);
      expect(mapping).toMatchObject({ event: 'concept:name', timestamp: { column: 'time:timestamp' } });
      expect(mapping.objects).toEqual([
        expect.objectContaining({ type: { const: 'Case' }, id: 'case:concept:name', qualifier: { const: 'case' }, properties: expect.objectContaining({ channel: 'case:channel' }) }),
        { type: { const: 'User' }, id: 'org:resource', qualifier: { const: 'performer' } },
      ]);
    });
  });

  it.concurrent('eventdataR_sepsis_head.csv: a luxon pattern, the placeholder zone and a loud note about it', async () => {
    await withTempDir(async (dir) => {
      const { mapping, stderr } = await initThenValidate(corpus('process-mining/eventdataR_sepsis_head.csv'), dir);
      expect(mapping.timestamp).toEqual({ column: 'Complete Timestamp', format: 'yyyy/MM/dd HH:mm:ss.SSS', timezone: 'UTC' });
      expect(stderr).toContain('Check before importing:\n  ! TIME ZONE: "Complete Timestamp" values carry no zone');
      expect((mapping.properties as Record<string, unknown>).Age).toEqual({ column: 'Age', as: 'number' });
      expect((mapping.properties as Record<string, unknown>).InfectionSuspected).toEqual({ column: 'InfectionSuspected', as: 'boolean' });
    });
  });

  it.concurrent('pm4py_running-example.csv with --target immutable validates for immutable too', async () => {
    await withTempDir(async (dir) => {
      const { mapping } = await initThenValidate(corpus('process-mining/pm4py_running-example.csv'), dir, ['--target', 'immutable']);
      expect(mapping.actor).toEqual({ id: 'org:resource', type: { const: 'user' } });
    });
  });
});

describe.concurrent('files of our own', () => {
  it('a semicolon CSV with dotted local dates, ids, numbers and booleans', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'tickets.csv');
      await writeFile(file, [
        'Ticket ID;Status;Changed;agent;Priority;escalated;note',
        'T-1;opened;22.10.2014 11:15;ann;2;false;first',
        'T-1;assigned;22.10.2014 11:20;;2;false;',
        'T-2;opened;23.10.2014 08:00;bo;1.5;true;"with ; semicolon"',
      ].join('\n'));
      const { mapping, stderr } = await initThenValidate(file, dir);
      expect(mapping).toMatchObject({
        event: 'Status',
        timestamp: { column: 'Changed', format: 'dd.MM.yyyy HH:mm', timezone: 'UTC' },
        objects: [{ type: { const: 'Ticket' }, id: 'Ticket ID' }, { type: { const: 'User' }, id: 'agent', qualifier: { const: 'performer' } }],
        properties: { Priority: { column: 'Priority', as: 'number' }, escalated: { column: 'escalated', as: 'boolean' }, note: 'note' },
      });
      expect(stderr).toContain('! TIME ZONE: "Changed"');
    });
  });

  it('an NDJSON file with nested keys and epoch milliseconds', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'audit.ndjson');
      await writeFile(file, [
        { ts: 1714636800123, action: 'login', user: { id: 'u-1', name: 'Ann' }, session_id: 's-1', ok: true },
        { ts: 1714636900456, action: 'logout', user: { id: 'u-2', name: 'Bo' }, session_id: 's-2', ok: false },
      ].map((record) => JSON.stringify(record)).join('\n'));
      const { mapping } = await initThenValidate(file, dir, ['--target', 'immutable']);
      expect(mapping).toMatchObject({
        timestamp: { column: 'ts', format: 'epoch_ms' },
        objects: [{ type: { const: 'Session' }, id: 'session_id' }],
        actor: { id: 'user.id', name: 'user.name', type: { const: 'user' } },
      });
    });
  });

  it('writes a --delimiter given to init into the mapping, so validate needs no flag', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'piped.txt');
      await writeFile(file, 'activity|case_id|time\nopened|1|2024-01-01T10:00:00Z\nclosed|1|2024-01-02T10:00:00Z\n');
      const out = join(dir, 'piped.mapping.json');
      expect((await runCli(['init', file, '--out', out, '--delimiter', '|'])).code).toBe(0);
      expect(JSON.parse(await readFile(out, 'utf8')).reader).toEqual({ delimiter: '|' });
      expect(await runCli(['validate', file, '-m', out])).toMatchObject({ code: 0, stdout: '2 records read: 2 valid, 0 invalid\n' });
    });
  });

  it('writes <input name>.mapping.json in the current folder by default and prints its path on stdout', async () => {
    await withTempDir(async (dir) => {
      const result = await runCli(['init', fixture('orders.csv')], { cwd: dir });
      expect(result).toMatchObject({ code: 0, stdout: 'orders.mapping.json\n' });
      expect(existsSync(join(dir, 'orders.mapping.json'))).toBe(true);
      const validate = await runCli(['validate', fixture('orders.csv'), '-m', 'orders.mapping.json'], { cwd: dir });
      expect(validate).toMatchObject({ code: 0, stdout: '8 records read: 8 valid, 0 invalid\n' });
    });
  });

  it('refuses to overwrite an existing file (exit 2, file untouched) unless --force', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'orders.mapping.json');
      await writeFile(out, 'mine');
      const refused = await runCli(['init', fixture('orders.csv'), '--out', out]);
      expect(refused).toMatchObject({ code: 2, stdout: '', stderr: `eventload: EL_OUTPUT_EXISTS: ${out}: already exists; pass --force to overwrite it\n` });
      expect(await readFile(out, 'utf8')).toBe('mine');
      const forced = await runCli(['init', fixture('orders.csv'), '--out', out, '--force']);
      expect(forced.code).toBe(0);
      expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ event: 'status' });
    });
  });

  it('writes nothing for canonical NDJSON, which needs no mapping', async () => {
    await withTempDir(async (dir) => {
      const result = await runCli(['init', fixture('events.ndjson')], { cwd: dir });
      expect(result).toMatchObject({ code: 0, stdout: '' });
      expect(result.stderr).toContain('no mapping file is needed');
      expect(readdirSync(dir)).toEqual([]);
    });
  });
});

describe.concurrent('formats with a built-in mapping (XES, BPMN)', () => {
  it('says no mapping is needed and writes nothing, unless --override asks for a skeleton', async () => {
    await withTempDir(async (dir) => {
      const plain = await runCli(['init', fixture('xes/orders.xes')], { cwd: dir });
      expect(plain.code).toBe(0);
      expect(plain.stderr).toContain('xes input has a built-in mapping: no mapping file is needed (pass --override');
      expect(existsSync(join(dir, 'orders.mapping.json'))).toBe(false);

      const skeleton = await runCli(['init', fixture('xes/orders.xes'), '--override'], { cwd: dir });
      expect(skeleton).toMatchObject({ code: 0, stdout: 'orders.mapping.json\n' });
      const written = JSON.parse(await readFile(join(dir, 'orders.mapping.json'), 'utf8')) as Record<string, unknown>;
      expect(written.reader).toEqual({ caseType: 'Case', resourceType: 'Resource', lifecycleInName: false, holdEvents: 100 });
      expect(written.actor).toEqual({ id: 'event.org:resource' });
      // The skeleton as written changes nothing: it validates every event of the log.
      const validate = await runCli(['validate', fixture('xes/orders.xes'), '-m', 'orders.mapping.json'], { cwd: dir });
      expect(validate.stdout).toBe('4 records read: 4 valid, 0 invalid\n');

      const bpmn = await runCli(['init', fixture('bpmn/hiring.ndjson'), '--override', '--out', 'hiring.mapping.json'], { cwd: dir });
      expect(bpmn.code).toBe(0);
      expect(JSON.parse(await readFile(join(dir, 'hiring.mapping.json'), 'utf8'))).toMatchObject({ reader: { phases: 'all' } });
    });
  });
});

describe.concurrent('usage and configuration errors (exit 2, nothing written)', () => {
  it('an unreadable file', async () => {
    await withTempDir(async (dir) => {
      const result = await runCli(['init', join(dir, 'missing.csv')], { cwd: dir });
      expect(result).toMatchObject({ code: 2, stdout: '', stderr: `eventload: EL_INPUT_UNREADABLE: ${join(dir, 'missing.csv')}: cannot read file (ENOENT)\n` });
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  it('a file with nothing that can be a timestamp', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'plain.csv'), 'name,colour\nann,red\nbo,blue\n');
      const result = await runCli(['init', 'plain.csv'], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/eventload: EL_INIT_NO_GUESS: plain\.csv: no column whose sampled values are all dates and times was found/);
      expect(readdirSync(dir)).toEqual(['plain.csv']);
    });
  });

  it('a CSV with a header and no rows', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'empty.csv'), 'activity,timestamp\n');
      const result = await runCli(['init', 'empty.csv'], { cwd: dir });
      expect(result).toMatchObject({ code: 2, stderr: 'eventload: EL_INIT_NO_RECORDS: empty.csv: no records could be read\n' });
    });
  });

  it('standard input without --out', async () => {
    const result = await runCli(['init', '-'], { input: 'a,b\n1,2\n' });
    expect(result).toMatchObject({ code: 2, stderr: 'eventload: EL_USAGE: reading standard input: name the mapping file to write with --out FILE\n' });
  });

  it('an unknown target', async () => {
    const result = await runCli(['init', fixture('orders.csv'), '--target', 'nowhere']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'nowhere' is invalid");
  });
});

it('--help shows real examples', async () => {
  const result = await runCli(['init', '--help']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('$ eventload init exports/orders.csv');
  expect(result.stdout).toContain('--force');
});
