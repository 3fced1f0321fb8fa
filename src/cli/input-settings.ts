// Turns the shared input flags (mapping, format, timezone, target) into ReadOptions.
import { ConfigError } from '../errors.js';
import { loadMapping } from '../mapping/load.js';
import type { ReadOptions } from '../pipeline/read-events.js';

export interface InputFlags {
  mapping?: string;
  format?: string;
  timezone?: string;
  delimiter?: string;
  maxRecordSize?: number;
  rejects?: string;
  target?: string;
}

export async function loadInputSettings(files: string[], flags: InputFlags): Promise<ReadOptions> {
  if (files.length === 0) throw new ConfigError('no input files given');
  const mapping = flags.mapping ? await loadMapping(flags.mapping) : undefined;
  const settings: ReadOptions = {
    files,
    mapping,
    mappingFile: flags.mapping,
    format: flags.format,
    timezone: flags.timezone,
    readerOptions: { delimiter: flags.delimiter, maxRecordBytes: flags.maxRecordSize },
  };
  if (flags.target) {
    const { findTarget, parseTargetOptions } = await import("../targets/index.js");
    const target = findTarget(flags.target);
    const targetOptions = parseTargetOptions(target, mapping?.targets?.[target.name], flags.mapping ?? "mapping");
    settings.targetCheck = (event) => target.check(event, targetOptions);
  }
  return settings;
}
