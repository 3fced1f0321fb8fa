// The target registry: every ingest API eventload sends to, listed explicitly.
import { ConfigError, EventloadError } from '../errors.js';
import { describeSchemaError } from '../mapping/load.js';
import { flaringTarget } from './flaring/index.js';
import { flowmynaTarget } from './flowmyna/index.js';
import { immutableTarget } from './immutable/index.js';
import type { TargetPlugin } from './types.js';

// The only list of targets. Everything that names targets (flags, the config schema, credentials,
// the sandbox command, messages) reads it when used, never at load time, so a target registered
// before the CLI runs (registerTarget, used by tests) is everywhere at once.
const registry: TargetPlugin<any>[] = [flowmynaTarget, immutableTarget, flaringTarget];

export function allTargets(): readonly TargetPlugin<any>[] {
  return registry;
}

export function targetNames(): string[] {
  return registry.map((target) => target.name);
}

/** Adds a target after the built-in ones (tests register a test-only target this way). */
export function registerTarget(target: TargetPlugin<any>): void {
  if (registry.some((known) => known.name === target.name)) throw new EventloadError('EL_PLUGIN_DUPLICATE', `target "${target.name}" is already registered`);
  registry.push(target);
}

export function findTarget(name: string): TargetPlugin<any> {
  const target = registry.find((candidate) => candidate.name === name);
  if (!target) throw new ConfigError(`unknown target "${name}" (known: ${targetNames().join(', ')})`, 'EL_TARGET_UNKNOWN');
  return target;
}

/** The mapping's `targets.<name>` section, checked by the target's schema; errors name the path. */
export function parseTargetOptions(target: TargetPlugin<any>, raw: unknown, file: string): unknown {
  const parsed = target.optionsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const detail = describeSchemaError(parsed.error).replace(/(^|; )/g, `$1targets.${target.name}.`);
    throw new ConfigError(`${file}: ${detail}`, 'EL_TARGET_OPTIONS');
  }
  return parsed.data;
}
