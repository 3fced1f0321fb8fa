// Turns the shared input flags (mapping, format, timezone, target) into ReadOptions.
import type { ConfigurableFlags } from '../config/apply.js';
import { ConfigError } from '../errors.js';
import { loadMapping } from '../mapping/load.js';
import type { Mapping } from '../mapping/schema.js';
import type { ReadOptions } from '../pipeline/read-events.js';

export interface InputFlags extends ConfigurableFlags {
  mapping?: string;
  format?: string;
  timezone?: string;
  delimiter?: string;
  /** --records: the member of a wrapping JSON object whose array holds the records. */
  records?: string;
  /** --encoding: the input's text encoding (default UTF-8). */
  encoding?: string;
  maxRecordSize?: number;
  /** --repeat-window: how far back identical events count as repeats (derived keys). */
  repeatWindow?: number;
  rejects?: string;
  target?: string;
  /** --verbose: say what happens as it happens (retries, throttling, each rejected record) on stderr. */
  verbose?: boolean;
  /** --max-error-rate: stop once more than this percentage of records is invalid (after 100). */
  maxErrorRate?: number;
}

export async function loadInputSettings(files: string[], flags: InputFlags): Promise<ReadOptions> {
  if (files.length === 0) throw new ConfigError(flags.config ? `no input files given (name them, or list them under "files" in ${flags.config})` : 'no input files given', 'EL_INPUT_MISSING');
  const mapping = withConfigTargets(flags.mapping ? await loadMapping(flags.mapping) : undefined, flags.targets);
  const settings: ReadOptions = {
    files,
    mapping,
    mappingFile: flags.mapping,
    format: flags.format,
    timezone: flags.timezone,
    encoding: flags.encoding,
    repeatWindow: flags.repeatWindow,
    readerOptions: { delimiter: flags.delimiter, records: flags.records, maxRecordBytes: flags.maxRecordSize },
  };
  if (flags.target) {
    const { findTarget, parseTargetOptions } = await import('../targets/index.js');
    const target = findTarget(flags.target);
    const targetOptions = parseTargetOptions(target, mapping?.targets?.[target.name], flags.mapping ?? 'mapping');
    settings.targetCheck = (event) => target.check(event, targetOptions);
  }
  return settings;
}

/** A config file's `targets.<name>` fields win over the mapping's, key by key (and need no mapping file). */
function withConfigTargets(mapping: Mapping | undefined, targets: InputFlags['targets']): Mapping | undefined {
  if (!targets) return mapping;
  const merged: Record<string, Record<string, unknown>> = { ...mapping?.targets };
  for (const [name, fields] of Object.entries(targets)) if (fields) merged[name] = { ...merged[name], ...fields };
  return { ...mapping, targets: merged } as Mapping;
}
