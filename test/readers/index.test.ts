// The reader registry is the one list of formats: names, lookup, detection and the config file's
// `format` all come from it, read when used, so a format registered here is known everywhere.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { ConfigError, EventloadError } from '../../src/errors.js';
import { readEvents } from '../../src/pipeline/read-events.js';
import { chooseReader, findReader, readerNames, registerReader } from '../../src/readers/index.js';
import { ndjsonReader } from '../../src/readers/json/ndjson-reader.js';
import { ndjsonOptionsSchema } from '../../src/readers/json/options.js';
import type { ReaderPlugin } from '../../src/readers/types.js';
import { runCli, withTempDir } from '../helpers.js';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof EventloadError ? `${error.code} ${error.exitCode}` : String(error);
  }
  return undefined;
}

const event = { event: 'Invoice sent', timestamp: '2024-05-02T08:05:00Z', objects: [{ type: 'Invoice', id: 'INV-9001' }] };
const rejectsLine = JSON.stringify({ stage: 'validate', reason: 'EL_FIELD_LENGTH', event });

describe('reader registry', () => {
  it('lists every format, rejects files included', () => {
    expect([...readerNames()].sort()).toEqual(['bpmn', 'csv', 'json', 'ndjson', 'ocel', 'rejects', 'xes']);
    expect(findReader('rejects').name).toBe('rejects');
  });

  it('gives an unknown and an undetectable format their own codes (exit 2)', () => {
    expect(codeOf(() => findReader('xml'))).toBe('EL_FORMAT_UNKNOWN 2');
    expect(() => findReader('xml')).toThrow(/^unknown format "xml" \(known: bpmn, rejects, xes, csv, ndjson, json, ocel\)$/);
    expect(codeOf(() => chooseReader('events.data', 'a,b\n', undefined))).toBe('EL_FORMAT_UNDETECTED 2');
  });

  it('picks the reader of the longest file ending that matches', () => {
    expect(chooseReader('fixes.rejects.ndjson', '{"not":"a rejects line"}\n', undefined).name).toBe('rejects');
    expect(chooseReader('dump.bpmn.json', '[]', undefined).name).toBe('bpmn');
    expect(chooseReader('events.ndjson', '{"event":"x"}\n', undefined).name).toBe('ndjson');
  });

  it('knows a registered format everywhere: lookup, detection, the config file, and the pipeline', async () => {
    // A test-only format that, like CSV, has no default mapping: the pipeline's message comes from the plugin's flag, not its name.
    const lines: ReaderPlugin<any> = { ...ndjsonReader, name: 'testlines', description: 'test only', extensions: ['.testlines'], optionsSchema: ndjsonOptionsSchema, needsMapping: true };
    expect(configSchema().safeParse({ format: 'testlines' }).success).toBe(false);
    registerReader(lines);
    expect(codeOf(() => registerReader(lines))).toBe('EL_PLUGIN_DUPLICATE 70');
    expect(readerNames()).toContain('testlines');
    expect(findReader('testlines')).toBe(lines);
    expect(chooseReader('events.testlines', '{}', undefined)).toBe(lines);
    expect(configSchema().safeParse({ format: 'testlines' }).success).toBe(true);
    await withTempDir(async (dir) => {
      const file = join(dir, 'events.testlines');
      await writeFile(file, `${JSON.stringify(event)}\n`);
      const failure = await readEvents({ files: [file] })[Symbol.asyncIterator]().next().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ConfigError);
      expect(failure).toMatchObject({ code: 'EL_MAPPING_REQUIRED', message: expect.stringContaining('events.testlines: TESTLINES input needs a mapping file (--mapping FILE)') });
    });
  });

  it('the config file names a format only from the registry', () => {
    expect(configSchema().safeParse({ format: 'rejects' }).success).toBe(true);
    // What the user reads: the message of a config file naming an unknown format.
    expect(() => parseConfig({ format: 'xml' }, 'c.json')).toThrow(/^c\.json: format: expected one of "bpmn", "rejects", "xes", "csv", "ndjson", "json", "ocel"/);
  });
});

describe('--format rejects', () => {
  it('reads a rejects file whatever its name, from the flag and from the config file', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'fixes.txt'), `${rejectsLine}\n`);
      // By its name alone, fixes.txt is CSV, which needs a mapping.
      const byName = await runCli(['validate', 'fixes.txt'], { cwd: dir });
      expect(byName.code).toBe(2);
      expect(byName.stderr).toContain('CSV input needs a mapping file');
      const flag = await runCli(['validate', 'fixes.txt', '--format', 'rejects'], { cwd: dir });
      expect({ code: flag.code, stdout: flag.stdout }).toEqual({ code: 0, stdout: '1 records read: 1 valid, 0 invalid\n' });
      await writeFile(join(dir, 'c.json'), JSON.stringify({ format: 'rejects', files: ['fixes.txt'] }));
      const config = await runCli(['validate', '--config', 'c.json'], { cwd: dir });
      expect({ code: config.code, stdout: config.stdout, stderr: config.stderr }).toEqual({ code: 0, stdout: '1 records read: 1 valid, 0 invalid\n', stderr: '' });
    });
  });
});
