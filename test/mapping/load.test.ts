// Loading a mapping file: every problem is a ConfigError (exit 2) naming the file and the field.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXIT } from '../../src/errors.js';
import { loadMapping, parseMapping } from '../../src/mapping/load.js';
import { fixture, withTempDir } from '../helpers.js';

const minimal = { event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] };

/** The ConfigError a call throws (fails the test when it throws nothing or something else). */
async function configError(body: () => unknown): Promise<ConfigError> {
  try {
    await body();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('loadMapping', () => {
  it('loads the orders fixture', async () => {
    const mapping = await loadMapping(fixture('orders.mapping.json'));
    expect(mapping.event).toEqual({ template: 'Order {status}' });
    expect(mapping.timestamp).toEqual({ column: 'created_at', format: 'iso', timezone: 'Europe/Berlin' });
    expect(mapping.objects).toHaveLength(3);
    expect(mapping.targets?.immutable).toEqual({ tenant_id: 'shop-eu', action_category: 'orders' });
  });

  it('tolerates a UTF-8 byte order mark', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'bom.json');
      await writeFile(file, `\uFEFF${JSON.stringify(minimal)}`);
      expect((await loadMapping(file)).event).toBe('activity');
    });
  });

  it('reports invalid JSON with the path and exit code 2', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'broken.json');
      await writeFile(file, '{"event": "x", ');
      const error = await configError(() => loadMapping(file));
      expect(error.exitCode).toBe(EXIT.config);
      expect(error.message).toMatch(new RegExp(`^${escape(file)}: mapping file is not valid JSON \\(.+\\)$`));
    });
  });

  it('reports a file that cannot be read', async () => {
    const error = await configError(() => loadMapping('/nonexistent/mapping.json'));
    expect(error.message).toBe('/nonexistent/mapping.json: cannot read mapping file (ENOENT)');
  });
});

describe('parseMapping', () => {
  it('defaults the timestamp format to auto', () => {
    expect(parseMapping({ ...minimal, timestamp: { column: 'at', timezone: 'UTC' } }, 'm.json').timestamp).toEqual({ column: 'at', format: 'auto', timezone: 'UTC' });
  });

  it('names an unknown key at the top level and inside an object', async () => {
    expect((await configError(() => parseMapping({ ...minimal, colour: 'red' }, 'm.json'))).message).toBe('m.json: unknown key "colour"');
    const inObject = { ...minimal, objects: [{ type: 'a', id: 'b', name: 'c', kind: 'd' }] };
    expect((await configError(() => parseMapping(inObject, 'm.json'))).message).toBe('m.json: objects[0]: unknown keys "name", "kind"');
  });

  it('names a value of the wrong type by its path', async () => {
    expect((await configError(() => parseMapping({ ...minimal, event: 5 }, 'm.json'))).message).toBe(
      'm.json: event: expected a column name, {"column": ...}, {"const": ...} or {"template": ...}',
    );
    expect((await configError(() => parseMapping({ ...minimal, objects: { type: 'a', id: 'b' } }, 'm.json'))).message).toMatch(/^m\.json: objects: /);
    // A bad "as" is named with its value and the valid ones, not as a wrong shape.
    expect((await configError(() => parseMapping({ ...minimal, properties: { amount: { column: 'amount', as: 'numbr' } } }, 'm.json'))).message).toBe(
      'm.json: properties.amount.as: "numbr" is not one of "string", "number", "integer", "boolean", "json", "list"',
    );
  });

  it('lists every problem at once', async () => {
    const error = await configError(() => parseMapping({ ...minimal, colour: 'red', event: 5 }, 'm.json'));
    expect(error.message).toBe('m.json: event: expected a column name, {"column": ...}, {"const": ...} or {"template": ...}; unknown key "colour"');
  });

  it('accepts a part of event, timestamp and objects (laid over a default; CSV refuses it when read)', async () => {
    expect(parseMapping({ event: 'activity' }, 'm.json')).toEqual({ event: 'activity' });
    expect((await configError(() => parseMapping({ ...minimal, objects: [] }, 'm.json'))).message).toBe('m.json: objects: needs at least one object');
  });

  it('accepts a mapping with none of the three (a reader default applies)', () => {
    expect(parseMapping({ reader: { delimiter: ';' } }, 'm.json')).toEqual({ reader: { delimiter: ';' } });
  });

  it('rejects an unknown time zone with code EL_MAPPING', async () => {
    const error = await configError(() => parseMapping({ ...minimal, timestamp: { column: 'at', timezone: 'Europe/Atlantis' } }, 'm.json'));
    expect(error.code).toBe('EL_MAPPING');
    expect(error.message).toBe('m.json: timestamp.timezone: unknown time zone "Europe/Atlantis" (use an IANA name such as Europe/Berlin)');
  });

  it('rejects a top level that is not an object', async () => {
    expect((await configError(() => parseMapping([], 'm.json'))).message).toMatch(/^m\.json: /);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
