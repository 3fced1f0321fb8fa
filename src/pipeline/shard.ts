// One worker's share of a job split over N copies of the same command (`--shard I/N`): Kubernetes
// Indexed Jobs, CI matrices, AWS Batch and Slurm arrays start N copies, and each must take a share
// that every other copy agrees on without talking to it. Two ways to split, both deterministic:
//   - several input files: each file belongs to one shard, balanced by size (every worker computes
//     the same assignment from the same names and sizes, whatever order they were listed in);
//   - one input file: every worker reads all of it and keeps the events whose hash falls in its
//     share: the content hash a derived key is built from, or the mapped key's hash. Identical rows
//     land on one worker, so repeat numbering and keys are those of a single run.
// Records that are not events (invalid, skipped) have no content to hash: they go by line number,
// so each is counted by exactly one shard and the shards' accounts add up to a single run's.
import { stat } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { contentHash, sha256 } from '../events/keys.js';
import type { CanonicalEvent } from '../events/canonical.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
  /** The environment variable `auto` took the index from. */
  from?: string;
}

/** How the run's records are split: by whole files, or by event within one file read by every worker. */
export type ShardMode = 'file' | 'event';

/**
 * The engines' index variables, in the order `auto` tries them (docs/scale-out.md). Slurm numbers
 * array tasks as the user wrote them (`--array=1-8`, `--array=0-15:2`): the index is counted from
 * SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP.
 */
export const INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;

const SHARD_TEXT = /^\s*(auto|\d+)\s*\/\s*(\d+)\s*$/;

/** `I/N` or `auto/N` (from `origin`: --shard, a config file, EVENTLOAD_SHARD) into a shard; `env` for auto. */
export function parseShard(text: string, origin: string, env: Record<string, string | undefined>): Shard {
  const match = SHARD_TEXT.exec(text);
  if (!match) throw new ConfigError(`${origin} "${text}": expected I/N (this worker's index I from 0 to N-1, of N workers), or auto/N`, 'EL_SHARD_INVALID');
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new ConfigError(`${origin} "${text}": the number of shards N must be at least 1`, 'EL_SHARD_INVALID');
  if (match[1] === 'auto') return autoShard(count, origin, env);
  const index = Number(match[1]);
  if (!Number.isSafeInteger(index) || index >= count) throw new ConfigError(`${origin} "${text}": the index must be from 0 to ${count - 1} (shards are numbered from 0)`, 'EL_SHARD_INVALID');
  return { index, count };
}

function autoShard(count: number, origin: string, env: Record<string, string | undefined>): Shard {
  const from = INDEX_VARIABLES.find((name) => (env[name] ?? '').trim() !== '');
  if (!from) {
    throw new ConfigError(`${origin} auto/${count}: none of ${INDEX_VARIABLES.join(', ')} is set; pass the index yourself (--shard I/${count}), as a CI matrix does`, 'EL_SHARD_NO_INDEX');
  }
  const index = from === 'SLURM_ARRAY_TASK_ID' ? slurmIndex(env, count) : wholeNumber(env[from]!, from);
  if (index >= count) throw new ConfigError(`${from}=${env[from]!.trim()} but ${origin} says ${count} shards (0 to ${count - 1}): give the job as many copies as shards`, 'EL_SHARD_INDEX_INVALID');
  return { index, count, from };
}

function slurmIndex(env: Record<string, string | undefined>, count: number): number {
  const id = wholeNumber(env.SLURM_ARRAY_TASK_ID!, 'SLURM_ARRAY_TASK_ID');
  const min = env.SLURM_ARRAY_TASK_MIN ? wholeNumber(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') : 0;
  const step = env.SLURM_ARRAY_TASK_STEP ? wholeNumber(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP') : 1;
  const tasks = env.SLURM_ARRAY_TASK_COUNT ? wholeNumber(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT') : undefined;
  if (tasks !== undefined && tasks !== count) {
    throw new ConfigError(`SLURM_ARRAY_TASK_COUNT=${tasks} but --shard auto/${count}: the array and the shards must be as many`, 'EL_SHARD_INDEX_INVALID');
  }
  if (id < min || (id - min) % Math.max(step, 1) !== 0) {
    throw new ConfigError(`SLURM_ARRAY_TASK_ID=${id} is not on the array's range from ${min} in steps of ${step}: use a plain range (--array=0-${count - 1})`, 'EL_SHARD_INDEX_INVALID');
  }
  return (id - min) / Math.max(step, 1);
}

function wholeNumber(text: string, name: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) throw new ConfigError(`${name}="${text}" is not a whole number of 0 or more`, 'EL_SHARD_INDEX_INVALID');
  return Number(trimmed);
}

/** `2/4`, as summaries and journal scopes show a shard. */
export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** One file: split by event (every worker reads it); several: by file. */
export function shardMode(files: readonly string[]): ShardMode {
  return files.length > 1 ? 'file' : 'event';
}

/**
 * The files of this shard, when there are several: largest first, each to the shard with the
 * fewest bytes so far (ties: the lower index, then the name). The order the files were listed in
 * does not matter; their names (as given) and sizes must be the same on every worker.
 */
export async function filesOfShard(files: readonly string[], shard: Shard): Promise<string[]> {
  if (shardMode(files) === 'event') return [...files];
  if (files.includes('-')) throw new ConfigError('--shard over several inputs: standard input (-) cannot be one of them (each worker has its own); name files', 'EL_SHARD_STDIN');
  const sized = await Promise.all(files.map(async (file) => ({ file, size: await sizeOf(file) })));
  const mine = new Set(assignFiles(sized, shard.count)[shard.index]);
  // The shard's files in the order given, so its output reads like a single run over them.
  return files.filter((file) => mine.has(file));
}

/** Every shard's files (exported for tests and the docs' numbers). */
export function assignFiles(files: ReadonlyArray<{ file: string; size: number }>, count: number): string[][] {
  const unique = [...new Map(files.map((entry) => [entry.file, entry])).values()];
  unique.sort((a, b) => b.size - a.size || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const shards = Array.from({ length: count }, () => ({ bytes: 0, files: [] as string[] }));
  for (const entry of unique) {
    let lightest = 0;
    for (let i = 1; i < count; i++) if (shards[i]!.bytes < shards[lightest]!.bytes) lightest = i;
    shards[lightest]!.bytes += entry.size;
    shards[lightest]!.files.push(entry.file);
  }
  return shards.map((shard) => shard.files);
}

/** A missing file is reported by the reader with its own code; here it weighs nothing. */
async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/**
 * The shard a record of a file read by every worker belongs to. An event (`event` given): by its
 * mapped key when the mapping names one (`mappedKey`), else by the content hash its derived key is
 * built from. A record that is no event (invalid, skipped): by its line number.
 */
export function shardOfRecord(event: CanonicalEvent | undefined, mappedKey: boolean, line: number, count: number): number {
  if (!event) return line % count;
  const hash = mappedKey ? sha256(event.idempotency_key!) : contentHash(event);
  // 48 bits of the hash: exact in a double, and evenly spread over any count below millions.
  return Number.parseInt(hash.slice(0, 12), 16) % count;
}
