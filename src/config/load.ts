// Reads and checks a --config file. Every problem is a ConfigError (exit 2) of the form
// `FILE: dot.path: message`, all at once; paths in the file are taken relative to its folder.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatPath } from '../events/canonical.js';
import { isValidTimeZone } from '../events/timestamp.js';
import { configSchema, PATH_KEYS, type ConfigFile, type EnvReference } from './schema.js';

export interface LoadedConfig {
  /** The path as the user gave it, for messages. */
  file: string;
  /** Its folder: relative paths inside the file are taken from here. */
  dir: string;
  /** Checked, with PATH_KEYS already resolved against `dir`. */
  config: ConfigFile;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read config file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'EL_CONFIG_FILE');
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(`${file}: config file is not valid JSON (${(error as Error).message})`, 'EL_CONFIG_FILE');
  }
  return parseConfig(json, file);
}

export function parseConfig(json: unknown, file: string): LoadedConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${file}: a config file is a JSON object such as {"mapping": "orders.mapping.json"}`, 'EL_CONFIG_FILE');
  const parsed = configSchema.safeParse(json, { error: shortMessage });
  if (!parsed.success) throw new ConfigError(`${file}: ${describeConfigError(parsed.error)}`, 'EL_CONFIG_FILE');
  const config = parsed.data;
  if (config.timezone !== undefined && !isValidTimeZone(config.timezone)) {
    throw new ConfigError(`${file}: timezone: unknown time zone "${config.timezone}" (use an IANA name such as Europe/Berlin)`, 'EL_CONFIG_FILE');
  }
  const dir = dirname(file);
  for (const key of PATH_KEYS) {
    const value = config[key];
    if (value !== undefined) config[key] = fromFolder(dir, value);
  }
  return { file, dir, config };
}

/** The config's `files`, glob patterns expanded (sorted), relative to its folder; `-` is standard input. */
export async function resolveConfigFiles(loaded: LoadedConfig): Promise<string[]> {
  const patterns = loaded.config.files ?? [];
  const files: string[] = [];
  for (const pattern of patterns) {
    if (pattern === '-') files.push(pattern);
    else if (isDynamicPattern(pattern)) {
      const matches = await glob(pattern, { cwd: loaded.dir, onlyFiles: true, expandDirectories: false });
      files.push(...matches.sort().map((match) => fromFolder(loaded.dir, match)));
    } else files.push(fromFolder(loaded.dir, pattern));
  }
  // One empty pattern among several is normal (no .gz exports today); all of them empty is not.
  if (patterns.length > 0 && files.length === 0) {
    throw new ConfigError(`${loaded.file}: files: ${patterns.map((p) => JSON.stringify(p)).join(', ')} match no file (looked in ${loaded.dir === '.' ? 'the current folder' : loaded.dir})`, 'EL_CONFIG_FILE');
  }
  return files;
}

/** The environment variables each target reads its credentials from. */
export const CREDENTIAL_VARIABLES: Record<string, Partial<Record<'token' | 'email' | 'password', string>>> = {
  flowmyna: { token: 'FLOWMYNA_API_KEY' },
  immutable: { token: 'IMMUTABLE_API_KEY' },
  flaring: { token: 'FLARING_TOKEN', email: 'FLARING_EMAIL', password: 'FLARING_PASSWORD' },
};

/**
 * The credentials the config names, as the variables `target` reads (`FLOWMYNA_API_KEY`, ...),
 * their values taken from the variables the config points at. Values are never put in messages.
 */
export function credentialsFromConfig(loaded: LoadedConfig, target: string, env: Record<string, string | undefined>): Record<string, string> {
  const variables = CREDENTIAL_VARIABLES[target] ?? {};
  const result: Record<string, string> = {};
  for (const key of ['token', 'email', 'password'] as const) {
    const reference: string | EnvReference | undefined = loaded.config[key];
    if (reference === undefined) continue;
    const variable = variables[key];
    if (!variable) throw new ConfigError(`${loaded.file}: ${key}: target ${target} takes no ${key} (flaring logs in with email and password; the others take a token)`, 'EL_CONFIG_FILE');
    const value = typeof reference === 'string' ? reference : env[reference.env];
    if (value === undefined || value === '') {
      throw new ConfigError(`${loaded.file}: ${key}: environment variable ${(reference as EnvReference).env} is not set`, 'EL_CONFIG_FILE');
    }
    result[variable] = value;
  }
  return result;
}

function fromFolder(dir: string, path: string): string {
  return path === '-' || isAbsolute(path) ? path : join(dir, path);
}

/** Every issue as `dot.path: message`, joined with "; ", so one message shows all that is wrong. */
export function describeConfigError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length === 0 ? '' : `${formatPath(issue.path)}: `;
      if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${where}unknown key "${key}"${hint(key)}`).join('; ');
      return `${where}${issue.message}`;
    })
    .join('; ');
}

/** Keys are the flags' camelCase names: `max-record-size` is `maxRecordSize`. */
function hint(key: string): string {
  const camel = key.replace(/^-+/, '').replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return camel !== key && camel in configSchema.shape ? ` (write "${camel}")` : '';
}

/** Shorter messages than zod's defaults, in the style of the mapping-file errors. */
function shortMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'a whole number' : issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? 'must not be empty' : issue.origin === 'string' ? 'must not be empty' : `must be at least ${issue.minimum}${issue.inclusive === false ? ' (exclusive)' : ''}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    case 'invalid_union':
      return 'expected a string or {"env": "NAME"}';
    default:
      return undefined;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && Number.isInteger(value) === false) return `${value}`;
  return typeof value;
}
