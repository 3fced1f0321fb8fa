// Which share of a --shard job this process is: --shard (or "shard" in a --config file), else
// EVENTLOAD_SHARD, resolved once for every command that reads inputs. A worker that took its
// index from a batch engine's variable says which one on stderr, so a log shows why it got its share.
import { filesOfShard, parseShard, shardLabel, shardMode, type Shard, type ShardMode } from '../pipeline/shard.js';

/** This worker's shard and its inputs; no shard: the files as given. */
export interface ShardPlan {
  shard?: Shard;
  mode?: ShardMode;
  /** The inputs this worker reads: its own files (several), or the one file (read by every worker). */
  files: string[];
}

/** `given`: the --shard value (command line or config file); `env` holds EVENTLOAD_SHARD and the engines' variables. */
export async function planShard(files: string[], given: string | undefined, env: Record<string, string | undefined>, quiet: boolean): Promise<ShardPlan> {
  const text = given ?? (env.EVENTLOAD_SHARD?.trim() ? env.EVENTLOAD_SHARD : undefined);
  if (text === undefined) return { files };
  const shard = parseShard(text, given !== undefined ? '--shard' : 'EVENTLOAD_SHARD', env);
  const mode = shardMode(files);
  const mine = await filesOfShard(files, shard);
  if (!quiet) process.stderr.write(`eventload: ${describeShard(shard, mode, files.length, mine.length)}\n`);
  return { shard, mode, files: mine };
}

function describeShard(shard: Shard, mode: ShardMode, total: number, mine: number): string {
  const from = shard.from ? ` (index from ${shard.from})` : '';
  const share = mode === 'file' ? `${mine} of ${total} files` : 'the events of the one input whose hash falls in its share (every worker reads all of it)';
  return `shard ${shardLabel(shard)}${from}: ${share}`;
}

/** A shard's own journal beside the default one (`.eventload/journal.shard-2-of-4.db`): workers on one disk never share a lock. */
export function shardJournalPath(path: string, shard: { index: number; count: number }): string {
  const suffix = `.shard-${shard.index}-of-${shard.count}`;
  return path.endsWith('.db') ? `${path.slice(0, -3)}${suffix}.db` : `${path}${suffix}`;
}
