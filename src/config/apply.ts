// Puts a --config file together with the command line: a flag given on the command line wins,
// then the config file, then the flag's default. Commander tells which flags were given
// (`getOptionValueSource`); main.ts records that on every command's options as `optionSources`.
import type { OptionValueSource } from 'commander';
import { ConfigError } from '../errors.js';
import { credentialsFromConfig, credentialVariables, loadConfig, resolveConfigFiles, type LoadedConfig } from './load.js';
import { NOT_FLAGS, type ConfigFile } from './schema.js';

/** Where each option's value came from, by its camelCase name: 'cli', 'default', 'env', 'implied'. */
export type OptionSources = Record<string, OptionValueSource | undefined>;

/** What every command that takes --config carries in its flags. */
export interface ConfigurableFlags {
  config?: string;
  optionSources?: OptionSources;
  target?: string;
  targets?: ConfigFile['targets'];
  /** import --sandbox: the sandbox brings its own credentials. */
  sandbox?: boolean;
}

/** Config values for every flag not given on the command line; `targets` is carried over as it is. */
export function mergeConfig<F extends object>(flags: F, config: ConfigFile, sources: OptionSources): F {
  const merged: Record<string, unknown> = { ...(flags as Record<string, unknown>) };
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || (NOT_FLAGS as readonly string[]).includes(key)) continue;
    const source = sources[key];
    if (source === 'cli' || source === 'env') continue;
    merged[key] = value;
  }
  if (config.targets) merged.targets = config.targets;
  return merged as F;
}

export interface ConfiguredRun<F> {
  /** The flags with the config merged in. */
  flags: F;
  /** The files named on the command line, else the config's `files` (globs expanded). */
  files: string[];
  /** The environment to read credentials from: process.env plus the config's {"env": ...} credentials. */
  env: Record<string, string | undefined>;
  /** The config file, when there was one. */
  config?: LoadedConfig;
}

/**
 * Applies `flags.config` (if any) to a run. For `import` (the default) it also resolves the
 * config's credentials into the variables the target reads (`FLOWMYNA_API_KEY`, `IMMUTABLE_API_KEY`,
 * `FLARING_TOKEN`, `FLARING_EMAIL`, `FLARING_PASSWORD`) and requires a target; `validate` sends
 * nothing, so it neither needs nor reads credentials, and neither does a --sandbox import: the
 * sandbox accepts only its own, so the file's are checked for shape but never read or sent.
 */
export async function applyConfig<F extends ConfigurableFlags>(
  flags: F,
  sources: OptionSources = flags.optionSources ?? {},
  files: string[] = [],
  options: { command?: 'import' | 'validate'; env?: Record<string, string | undefined> } = {},
): Promise<ConfiguredRun<F>> {
  const env = { ...(options.env ?? process.env) };
  if (!flags.config) return { flags, files, env };
  const loaded = await loadConfig(flags.config);
  const merged = mergeConfig(flags, loaded.config, sources);
  const inputFiles = files.length > 0 ? files : await resolveConfigFiles(loaded);
  if ((options.command ?? 'import') === 'import') {
    if (!merged.target) throw new ConfigError(`no target: pass --target NAME or set "target" in ${loaded.file}`, 'EL_TARGET_MISSING');
    if (merged.sandbox) credentialVariables(loaded, merged.target);
    else Object.assign(env, credentialsFromConfig(loaded, merged.target, env));
  }
  return { flags: merged, files: inputFiles, env, config: loaded };
}
