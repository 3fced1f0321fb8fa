// Reads and checks a --config file. Every problem is a ConfigError (exit 2) of the form
// `FILE: dot.path: message`, all at once; paths in the file are taken relative to its folder.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatPath } from '../events/canonical.js';
import { isValidTimeZone } from '../events/timestamp.js';
import { allTargets } from '../targets/index.js';
import { configSchema, configShape, pathKeys, type ConfigFile, type EnvReference } from './schema.js';

export interface LoadedConfig {
  /** The path as the user gave it, for messages. */
  file: string;
  /** Its folder: relative paths inside the file are taken from here. */
  dir: string;
  /** Checked, with its path keys (pathKeys()) already resolved against `dir`. */
  config: ConfigFile;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  return parseConfig(await readConfigJson(file), file);
}

/** The file's JSON, unchecked (sync upgrades its old format before checking). */
export async function readConfigJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read config file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'EL_CONFIG_FILE');
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(`${file}: config file is not valid JSON (${(error as Error).message})`, 'EL_CONFIG_FILE');
  }
}

/**
 * Checks a config and resolves its paths. `writtenAs` maps a top-level key to where the user
 * wrote it (the old sync format's `options.batchSize`), so messages point at their own text.
 */
export function parseConfig(json: unknown, file: string, writtenAs: WrittenAs = {}): LoadedConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${file}: a config file is a JSON object such as {"mapping": "orders.mapping.json"}`, 'EL_CONFIG_FILE');
  const parsed = configSchema().safeParse(json, { error: shortMessage });
  if (!parsed.success) throw new ConfigError(`${file}: ${describeConfigError(parsed.error, writtenAs)}`, 'EL_CONFIG_FILE');
  const config = parsed.data;
  if (config.timezone !== undefined && !isValidTimeZone(config.timezone)) {
    throw new ConfigError(`${file}: ${keyAsWritten('timezone', writtenAs)}: unknown time zone "${config.timezone}" (use an IANA name such as Europe/Berlin)`, 'EL_CONFIG_FILE');
  }
  const dir = dirname(file);
  const paths = config as Record<string, unknown>;
  for (const key of pathKeys()) {
    const value = paths[key];
    if (typeof value === 'string') paths[key] = fromFolder(dir, value);
  }
  return { file, dir, config };
}

/** Top-level key → the path the user wrote it under, when that differs. */
export type WrittenAs = Record<string, readonly string[]>;

/** A top-level key as the user wrote it, for messages. */
export function keyAsWritten(key: string, writtenAs: WrittenAs = {}): string {
  return formatPath(writtenAs[key] ?? [key]);
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

/**
 * The credentials the config names, as the variables `target` reads (`FLOWMYNA_API_KEY`, ...),
 * their values taken from the variables the config points at. Values are never put in messages.
 */
export function credentialsFromConfig(loaded: LoadedConfig, target: string, env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, variable] of Object.entries(credentialVariables(loaded, target))) {
    const reference: string | EnvReference = loaded.config[key as CredentialKey]!;
    const value = typeof reference === 'string' ? reference : env[reference.env];
    if (value === undefined || value === '') {
      throw new ConfigError(`${loaded.file}: ${key}: environment variable ${(reference as EnvReference).env} is not set`, 'EL_CONFIG_FILE');
    }
    result[variable] = value;
  }
  return result;
}

type CredentialKey = 'token' | 'email' | 'password';

/**
 * Which variable each credential in the config goes to, checking that `target` takes it; reads
 * no value (a --sandbox run checks the file this way and uses the sandbox's own credentials).
 */
export function credentialVariables(loaded: LoadedConfig, target: string): Partial<Record<CredentialKey, string>> {
  const variables = Object.fromEntries((allTargets().find((t) => t.name === target)?.credentials ?? []).map((c) => [c.key, c.variable])) as Partial<Record<CredentialKey, string>>;
  const result: Partial<Record<CredentialKey, string>> = {};
  for (const key of ['token', 'email', 'password'] as const) {
    if (loaded.config[key] === undefined) continue;
    const variable = variables[key];
    if (!variable) throw new ConfigError(`${loaded.file}: ${key}: target ${target} takes no ${key} (flaring logs in with email and password; the others take a token)`, 'EL_CONFIG_FILE');
    result[key] = variable;
  }
  return result;
}

function fromFolder(dir: string, path: string): string {
  return path === '-' || isAbsolute(path) ? path : join(dir, path);
}

/** Every issue as `dot.path: message`, joined with "; ", so one message shows all that is wrong. */
export function describeConfigError(error: z.ZodError, writtenAs: WrittenAs = {}): string {
  return error.issues
    .map((issue) => {
      const [head, ...rest] = issue.path;
      const path = typeof head === 'string' && writtenAs[head] ? [...writtenAs[head], ...rest] : issue.path;
      const where = path.length === 0 ? '' : `${formatPath(path)}: `;
      if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${where}unknown key "${key}"${path.length === 0 ? hint(key) : ''}`).join('; ');
      return `${where}${issue.message}`;
    })
    .join('; ');
}

/** The old sync format's keys, met in a file given to validate or import. */
const OLD_SYNC_KEYS: Record<string, string> = {
  sources: ' (write "files")',
  options: ' (its keys go at the top level: write "batchSize": 50, not "options": {"batchSize": 50})',
};

/** Keys are the flags' camelCase names: `max-record-size` is `maxRecordSize`. */
function hint(key: string): string {
  if (key in OLD_SYNC_KEYS) return OLD_SYNC_KEYS[key]!;
  const camel = key.replace(/^-+/, '').replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return camel !== key && camel in configShape() ? ` (write "${camel}")` : '';
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
