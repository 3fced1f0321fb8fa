// --shard I/N and auto/N as the batch engines set them, the file assignment every worker must agree
// on, and validate's account: N shards of one input add up to one run over it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { assignFiles, parseShard } from '../../src/pipeline/shard.js';
import { runCli } from '../helpers.js';
import { useTempDirs } from '../import/helpers.js';

const tempDir = useTempDirs();

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof ConfigError ? error.code : 'not a ConfigError';
  }
  return undefined;
}

describe('parseShard', () => {
  it('takes I/N with 0 <= I < N', () => {
    expect(parseShard('2/4', '--shard', {})).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 0 / 1 ', '--shard', {})).toEqual({ index: 0, count: 1 });
  });

  it('refuses what is not I/N with a code', () => {
    for (const text of ['4/4', '-1/4', '1/0', '1.5/4', '1/4.0', 'a/b', '1', '1/4/2', '', 'auto']) expect(codeOf(() => parseShard(text, '--shard', {})), text).toBe('EL_SHARD_INVALID');
  });

  it('auto/N takes the first index variable that is set, and says which', () => {
    expect(parseShard('auto/4', '--shard', { JOB_COMPLETION_INDEX: '3', AWS_BATCH_JOB_ARRAY_INDEX: '1' })).toEqual({ index: 3, count: 4, from: 'JOB_COMPLETION_INDEX' });
    expect(parseShard('auto/4', '--shard', { JOB_COMPLETION_INDEX: '', AWS_BATCH_JOB_ARRAY_INDEX: '1' })).toEqual({ index: 1, count: 4, from: 'AWS_BATCH_JOB_ARRAY_INDEX' });
    expect(parseShard('auto/4', '--shard', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 0, count: 4, from: 'SLURM_ARRAY_TASK_ID' });
  });

  it('counts a Slurm array from its first task, in its steps', () => {
    expect(parseShard('auto/8', '--shard', { SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' }).index).toBe(7);
    expect(parseShard('auto/4', '--shard', { SLURM_ARRAY_TASK_ID: '6', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2' }).index).toBe(3);
    expect(codeOf(() => parseShard('auto/4', '--shard', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '8' }))).toBe('EL_SHARD_INDEX_INVALID');
    expect(codeOf(() => parseShard('auto/4', '--shard', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '1' }))).toBe('EL_SHARD_INDEX_INVALID');
  });

  it('refuses an index variable out of range or not a number, and none set', () => {
    expect(codeOf(() => parseShard('auto/4', '--shard', { JOB_COMPLETION_INDEX: '4' }))).toBe('EL_SHARD_INDEX_INVALID');
    expect(codeOf(() => parseShard('auto/4', '--shard', { AWS_BATCH_JOB_ARRAY_INDEX: 'x' }))).toBe('EL_SHARD_INDEX_INVALID');
    expect(codeOf(() => parseShard('auto/4', '--shard', {}))).toBe('EL_SHARD_NO_INDEX');
  });
});

describe('assignFiles', () => {
  const files = Array.from({ length: 200 }, (_, i) => ({ file: `day-${String(i).padStart(3, '0')}.csv`, size: 1000 + ((i * 7919) % 5000) }));

  it('gives every file to exactly one shard, whatever order the files are listed in', () => {
    const shuffled = [...files].sort(() => Math.random() - 0.5);
    const a = assignFiles(files, 7);
    expect(assignFiles(shuffled, 7)).toEqual(a);
    expect(a.flat().sort()).toEqual(files.map((f) => f.file).sort());
  });

  it('balances bytes: no shard more than the largest file above the lightest', () => {
    const size = new Map(files.map((f) => [f.file, f.size]));
    const totals = assignFiles(files, 7).map((shard) => shard.reduce((sum, file) => sum + size.get(file)!, 0));
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(Math.max(...files.map((f) => f.size)));
  });
});

/** 600 NDJSON records: repeats of the same content, a few invalid lines and one without a timestamp. */
function records(): string {
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    if (i % 97 === 5) lines.push('{not json');
    else if (i % 131 === 7) lines.push(JSON.stringify({ event: 'x', objects: [{ type: 'o', id: '1' }] }));
    else lines.push(JSON.stringify({ event: `e${i % 4}`, timestamp: '2024-01-01T00:00:00Z', objects: [{ type: 'o', id: String(i % 150) }] }));
  }
  return `${lines.join('\n')}\n`;
}

async function validate(dir: string, args: string[], env: Record<string, string> = {}) {
  const result = await runCli(['validate', ...args, '--json'], { cwd: dir, env });
  expect(result.stderr).not.toContain('eventload: EL_');
  return { ...result, report: JSON.parse(result.stdout) as Record<string, any> };
}

describe('validate --shard', () => {
  it('one file: the shards together count each record once, invalid ones included', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'big.ndjson'), records());
    const single = await validate(dir, ['big.ndjson']);
    const shards = await Promise.all([0, 1, 2].map((index) => validate(dir, ['big.ndjson', '--shard', `${index}/3`])));
    for (const shard of shards) {
      expect(shard.report.read).toBe(single.report.read); // every worker reads the one file
      expect(shard.report.read).toBe(shard.report.valid + shard.report.invalid + shard.report.skipped + shard.report.otherShards);
      expect(shard.report.shard).toMatchObject({ count: 3, mode: 'event' });
    }
    const sum = (field: string) => shards.reduce((total, shard) => total + shard.report[field], 0);
    expect(single.report.invalid).toBeGreaterThan(4);
    expect(sum('valid')).toBe(single.report.valid);
    expect(sum('invalid')).toBe(single.report.invalid);
    expect(shards.every((shard) => shard.report.valid > 0)).toBe(true);
  });

  it('several files: each shard reads only its own, and they add up', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'in'));
    const files: string[] = [];
    for (let i = 0; i < 12; i++) {
      const file = `in/part-${i}.ndjson`;
      await writeFile(join(dir, file), records().split('\n').slice(0, 20 + i * 13).join('\n') + '\n');
      files.push(file);
    }
    const single = await validate(dir, files);
    const shards = await Promise.all([0, 1, 2, 3].map((index) => validate(dir, [...[...files].reverse(), '--shard', `${index}/4`])));
    expect(shards.flatMap((shard) => shard.report.files).sort()).toEqual([...files].sort());
    for (const field of ['read', 'valid', 'invalid']) expect(shards.reduce((total, shard) => total + shard.report[field], 0), field).toBe(single.report[field]);
    expect(shards.every((shard) => shard.report.otherShards === 0 && shard.report.shard.mode === 'file')).toBe(true);
  });

  it('takes the shard from EVENTLOAD_SHARD and from a config file; auto without an index variable exits 2 with its code', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'big.ndjson'), records());
    const fromFlag = await validate(dir, ['big.ndjson', '--shard', '1/3']);
    const fromEnv = await validate(dir, ['big.ndjson'], { EVENTLOAD_SHARD: '1/3' });
    expect(fromEnv.report.valid).toBe(fromFlag.report.valid);
    await writeFile(join(dir, 'job.json'), JSON.stringify({ files: ['big.ndjson'], shard: 'auto/3' }));
    const fromConfig = await validate(dir, ['--config', 'job.json'], { AWS_BATCH_JOB_ARRAY_INDEX: '1' });
    expect(fromConfig.report.valid).toBe(fromFlag.report.valid);
    expect(fromConfig.report.shard.from).toBe('AWS_BATCH_JOB_ARRAY_INDEX');
    const text = await runCli(['validate', 'big.ndjson', '--shard', 'auto/3'], { cwd: dir, env: { JOB_COMPLETION_INDEX: '2' } });
    expect(text.stderr).toContain('shard 2/3 (index from JOB_COMPLETION_INDEX)');
    const none = await runCli(['validate', 'big.ndjson', '--shard', 'auto/3'], { cwd: dir, env: { JOB_COMPLETION_INDEX: undefined, AWS_BATCH_JOB_ARRAY_INDEX: undefined, SLURM_ARRAY_TASK_ID: undefined } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('EL_SHARD_NO_INDEX');
    const bad = await runCli(['validate', 'big.ndjson', '--shard', '3/3'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('EL_SHARD_INVALID');
    const stdin = await runCli(['validate', 'big.ndjson', '-', '--shard', '0/2'], { cwd: dir });
    expect(stdin.stderr).toContain('EL_SHARD_STDIN');
  });
});
