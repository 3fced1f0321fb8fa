// The target registry: every ingest API eventload sends to, listed explicitly.
import { ConfigError } from '../errors.js';
import { describeSchemaError } from '../mapping/load.js';
import { flaringTarget } from './flaring/index.js';
import { flowmynaTarget } from './flowmyna/index.js';
import { immutableTarget } from './immutable/index.js';
import { Registry } from '../registry.js';
import type { TargetPlugin } from './types.js';

// The only list of targets. Everything that names targets (flags, the config schema, credentials,
// the sandbox command, messages) reads it when used, never at load time, so a target registered
// before the CLI runs (registerTarget, used by tests) is everywhere at once.
const registry = new Registry<TargetPlugin<any>>('target', 'EL_TARGET_UNKNOWN', [flowmynaTarget, immutableTarget, flaringTarget]);

export const allTargets = (): readonly TargetPlugin<any>[] => registry.all();
export const targetNames = (): string[] => registry.names();
export const findTarget = (name: string): TargetPlugin<any> => registry.find(name);
/** Adds a target after the built-in ones (tests register a test-only target this way). */
export const registerTarget = (target: TargetPlugin<any>): void => registry.register(target);

/** The mapping's `targets.<name>` section, checked by the target's schema; errors name the path. */
export function parseTargetOptions(target: TargetPlugin<any>, raw: unknown, file: string): unknown {
  const parsed = target.optionsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const detail = describeSchemaError(parsed.error).replace(/(^|; )/g, `$1targets.${target.name}.`);
    throw new ConfigError(`${file}: ${detail}`, 'EL_TARGET_OPTIONS');
  }
  return parsed.data;
}
