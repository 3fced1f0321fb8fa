// `sync --config FILE` reads the same file as `import --config` and `validate --config`, through the
// same loader (same keys, messages, relative paths and {"env": "NAME"} secrets). This module adds
// what a scheduled run cannot do without (files, a target, a journal) and still reads the old
// sync-only format (`sources`, nested `options`), saying how to rewrite it.
import { join, resolve } from 'node:path';
import { credentialsFromConfig, keyAsWritten, parseConfig, readConfigJson, type LoadedConfig, type WrittenAs } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { targetNames } from '../targets/index.js';

export interface SyncConfig {
  loaded: LoadedConfig;
  target: string;
  /** The `files` patterns, and the absolute folder they are relative to (files are remembered by absolute path). */
  patterns: string[];
  base: string;
  /** `journal`, or `.eventload/journal.db` beside the config file. */
  journal: string;
  /** Environment with the config's credentials under the names the target reads. */
  env: Record<string, string | undefined>;
  /** A one-line deprecation note when the file is in the old sync format. */
  note?: string;
}

/** The keys the old format nested under `options`; each is now a top-level key of the same name. */
const OLD_OPTION_KEYS = ['concurrency', 'rate', 'batchSize', 'timezone', 'delimiter', 'maxRetries', 'retryDeadline', 'timeout', 'allowHttp', 'retryRejected'];

export async function loadSyncConfig(file: string, env: Record<string, string | undefined> = process.env): Promise<SyncConfig> {
  const upgraded = upgradeOldFormat(await readConfigJson(file), file);
  const loaded = parseConfig(upgraded.json, file, upgraded.writtenAs);
  const problems = syncProblems(loaded, upgraded.writtenAs);
  if (problems.length > 0) throw new ConfigError(`${file}: ${problems.join('; ')}`, 'EL_CONFIG_FILE');
  const config = loaded.config;
  const target = config.target!;
  return {
    loaded,
    target,
    patterns: config.files!,
    base: resolve(loaded.dir),
    journal: typeof config.journal === 'string' ? config.journal : join(loaded.dir, '.eventload', 'journal.db'),
    env: { ...env, ...credentialsFromConfig(loaded, target, env) },
    ...(upgraded.note && { note: upgraded.note }),
  };
}

/** What the shared schema leaves optional but a scheduled run needs, or cannot do. */
function syncProblems(loaded: LoadedConfig, writtenAs: WrittenAs): string[] {
  const config = loaded.config;
  const files = keyAsWritten('files', writtenAs);
  const problems: string[] = [];
  if (!config.files) problems.push(`${files}: sync needs the files to read, e.g. "files": ["exports/*.csv"]`);
  else if (config.files.includes('-')) problems.push(`${files}: sync cannot read standard input ("-"): it remembers files by size, time and content`);
  if (!config.target) problems.push(`target: sync needs a target: ${alternatives(targetNames())}`);
  if (config.sandbox) problems.push('sandbox: sync sends to the real endpoint (try the file with `eventload import --config FILE --sandbox` instead)');
  if (config.dryRun) problems.push('dryRun: sync always sends (try the file with `eventload import --config FILE --dry-run` instead)');
  if (config.journal === false) problems.push('journal: sync needs a journal, where it remembers what it has read and sent (name a file, or leave the key out)');
  return problems;
}

/** "a, b or c": the registry's targets, read when a message needs them. */
function alternatives(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/**
 * The old sync format into the shared one: `sources` → `files`, `options.X` → `X`. Nothing is
 * guessed: a key set both ways, or an unknown option, is an error.
 */
export function upgradeOldFormat(json: unknown, file: string): { json: unknown; writtenAs: WrittenAs; note?: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('sources' in json || 'options' in json)) return { json, writtenAs: {} };
  const upgraded: Record<string, unknown> = { ...(json as Record<string, unknown>) };
  const writtenAs: Record<string, string[]> = {};
  const rewrites: string[] = [];
  const problems: string[] = [];
  const move = (from: string[], value: unknown, to: string) => {
    if (to in upgraded) problems.push(`${from.join('.')}: "${to}" is set too (keep only "${to}")`);
    upgraded[to] = value;
    writtenAs[to] = from;
    rewrites.push(`"${from.join('.')}" → "${to}"`);
  };
  if ('sources' in upgraded) {
    const sources = upgraded.sources;
    delete upgraded.sources;
    move(['sources'], sources, 'files');
  }
  if ('options' in upgraded) {
    const options = upgraded.options;
    delete upgraded.options;
    if (typeof options !== 'object' || options === null || Array.isArray(options)) problems.push('options: expected an object');
    else
      for (const [key, value] of Object.entries(options)) {
        if (OLD_OPTION_KEYS.includes(key)) move(['options', key], value, key);
        else problems.push(`options: unknown key "${key}"`);
      }
  }
  if (problems.length > 0) throw new ConfigError(`${file}: ${problems.join('; ')}`, 'EL_CONFIG_FILE');
  if (rewrites.length === 0) rewrites.push('drop the empty "options"');
  else rewrites[0] = `rewrite ${rewrites[0]}`;
  const note = `${file} is in the old sync format, read for now: ${rewrites.join(', ')} (the format of import --config, see docs/config.md)`;
  return { json: upgraded, writtenAs, note };
}
