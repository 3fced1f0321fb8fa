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
    throw new ConfigError(`${file}: cannot read mapping file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // Parsed like records: a `const` keeps a long number's digits, and cannot nest past the limit.
  const parsed = parseJsonText(text.replace(/^\uFEFF/, ''));
  if (!parsed.ok) throw new ConfigError(`${file}: mapping file is not valid JSON (${parsed.message})`);
  return parseMapping(parsed.value, file);
}

export function parseMapping(json: unknown, file: string): Mapping {
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${file}: ${describeSchemaError(parsed.error)}`, 'EL_MAPPING');
  const timestamp = parsed.data.timestamp;
  if (timestamp && typeof timestamp === 'object' && 'timezone' in timestamp && timestamp.timezone !== undefined && !isValidTimeZone(timestamp.timezone)) {
    throw new ConfigError(`${file}: timestamp.timezone: unknown time zone "${timestamp.timezone}" (use an IANA name such as Europe/Berlin)`, 'EL_MAPPING');
  }
  return parsed.data;
}

/** Every schema issue as `dot.path: message`, joined, so one message shows all that is wrong. */
export function describeSchemaError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = formatPath(issue.path);
      const where = issue.path.length === 0 ? '' : `${path}: `;
      if (issue.code === 'unrecognized_keys') return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      if (issue.code === 'invalid_union') return `${where}expected a column name, {"column": ...}, {"const": ...} or {"template": ...}`;
      return `${where}${issue.message}`;
    })
    .join('; ');
}
