// Loads and checks a mapping file; every problem is a ConfigError naming the file and the field.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatPath } from '../events/canonical.js';
import { parseJsonText } from '../events/json-text.js';
import { isValidTimeZone } from '../events/timestamp.js';
import { mappingSchema, type Mapping } from './schema.js';

export async function loadMapping(file: string): Promise<Mapping> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read mapping file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'EL_MAPPING_UNREADABLE');
  }
  // Parsed like records: a `const` keeps a long number's digits, and cannot nest past the limit.
  const parsed = parseJsonText(text.replace(/^\uFEFF/, ''));
  if (!parsed.ok) throw new ConfigError(`${file}: mapping file is not valid JSON (${parsed.message})`, 'EL_MAPPING_NOT_JSON');
  return parseMapping(parsed.value, file);
}

export function parseMapping(json: unknown, file: string): Mapping {
  refusePrototypeNames(json, file);
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${file}: ${describeSchemaError(parsed.error, json)}`, 'EL_MAPPING');
  const timestamp = parsed.data.timestamp;
  if (timestamp && typeof timestamp === 'object' && 'timezone' in timestamp && timestamp.timezone !== undefined && !isValidTimeZone(timestamp.timezone)) {
    throw new ConfigError(`${file}: timestamp.timezone: unknown time zone "${timestamp.timezone}" (use an IANA name such as Europe/Berlin)`, 'EL_MAPPING');
  }
  return parsed.data;
}

/**
 * A property named "__proto__" would be taken as the prototype (by the schema's parse, as by any
 * object) and vanish from every event without a word: it is refused by name instead.
 */
function refusePrototypeNames(json: unknown, file: string): void {
  if (json === null || typeof json !== 'object') return;
  const { properties, objects } = json as { properties?: unknown; objects?: unknown };
  const maps: Array<[string, unknown]> = [['properties', properties]];
  if (Array.isArray(objects)) objects.forEach((object, at) => maps.push([`objects[${at}].properties`, (object as { properties?: unknown } | null)?.properties]));
  for (const [path, map] of maps) {
    if (map !== null && typeof map === 'object' && Object.hasOwn(map, '__proto__')) {
      throw new ConfigError(`${file}: ${path}: "__proto__" cannot name a property (it would be taken as the object's prototype); use another name`, 'EL_MAPPING');
    }
  }
}

/**
 * Every schema issue as `dot.path: message`, joined, so one message shows all that is wrong.
 * `input` (what was parsed) lets a message quote the bad value: `objects[0].id.as: "numbr" is not…`.
 */
export function describeSchemaError(error: z.ZodError, input?: unknown): string {
  return describeIssues(error.issues, [], input).join('; ');
}

type SchemaIssue = z.core.$ZodIssue;

function describeIssues(issues: readonly SchemaIssue[], prefix: PropertyKey[], input: unknown): string[] {
  return issues.flatMap((issue) => {
    const at = [...prefix, ...issue.path];
    const where = at.length === 0 ? '' : `${formatPath(at)}: `;
    if (issue.code === 'unrecognized_keys') return [`${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`];
    if (issue.code === 'invalid_value') return [`${where}${quote(valueAt(input, at))} is not one of ${issue.values.map((value) => quote(value)).join(', ')}`];
    if (issue.code === 'invalid_union') {
      // The branch whose shape fitted (all its issues inside the value) says what is wrong better
      // than the list of shapes: {"column": "x", "as": "numbr"} has a bad "as", not a bad shape.
      const fitted = issue.errors.find((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0 && !isMissing(inner)));
      if (fitted) return describeIssues(fitted, at, input);
      return [`${where}expected a column name, {"column": ...}, {"const": ...} or {"template": ...}`];
    }
    return [`${where}${issue.message}`];
  });
}

function isMissing(issue: SchemaIssue): boolean {
  return issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function quote(value: unknown): string {
  return value === undefined ? 'the value' : JSON.stringify(value);
}
