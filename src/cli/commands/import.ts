// `eventload import`: read, map, validate and upload in one streaming pass, then account for
// every event. This file turns the flags (and --config) into a planned run; src/core runs it and
// src/cli/delivery.ts shows it. Also serves `--sandbox` (a local emulator of the target, started in-process).
import { applyConfig } from '../../config/apply.js';
import { ConfigError } from '../../errors.js';
import { targetNames } from '../../targets/index.js';
import { planDelivery, runDelivery, type DeliveryPlace, type ImportFlags, type PlannedDelivery } from '../delivery.js';

export type { ImportFlags };

export async function runImport(files: string[], flags: ImportFlags): Promise<number> {
  return runDelivery(await planImport(files, flags, { command: 'import' }));
}

/** import and replay: --config fills in what the command line did not say (flags win), credentials included. */
export async function planImport(commandLineFiles: string[], commandLineFlags: ImportFlags, place: DeliveryPlace): Promise<PlannedDelivery> {
  const configured = await applyConfig(commandLineFlags, commandLineFlags.optionSources, commandLineFiles);
  const flags = configured.flags;
  if (!flags.target) throw new ConfigError(`no target: pass --target NAME (${targetNames().join(', ')})`, 'EL_TARGET_MISSING');
  if (configured.files.length === 0) throw new ConfigError('no input files: name them, or "files" in the --config file', 'EL_INPUT_MISSING');
  return planDelivery(configured.files, flags, configured.env, place);
}
