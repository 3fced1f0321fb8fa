// The target registry: every ingest API eventload sends to, listed explicitly.
import { ConfigError } from '../errors.js';
import { describeSchemaError } from '../mapping/load.js';
import { flaringTarget } from './flaring.js';
import { flowmynaTarget } from './flowmyna.js';
import { immutableTarget } from './immutable.js';
import type { TargetPlugin } from './types.js';

export const targets: readonly TargetPlugin<any>[] = [flowmynaTarget, immutableTarget, flaringTarget];

export function findTarget(name: string): TargetPlugin<any> {
  const target = targets.find((candidate) => candidate.name === name);
  if (!target) throw new ConfigError(`unknown target "${name}" (known: ${targets.map((t) => t.name).join(', ')})`);
  return target;
}

/** The mapping's `targets.<name>` section, checked by the target's schema; errors name the path. */
export function parseTargetOptions(target: TargetPlugin<any>, raw: unknown, file: string): unknown {
  const parsed = target.optionsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const detail = describeSchemaError(parsed.error).replace(/(^|; )/g, `$1targets.${target.name}.`);
    throw new ConfigError(`${file}: ${detail}`);
  }
  return parsed.data;
}
