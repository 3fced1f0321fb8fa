// The manifests of docs/scale-out.md cannot run here (no cluster, no runner, no Slurm), so each is
// checked mechanically: its YAML parses (the `yaml` package), its shape is what the engine needs
// (indexed completions, a matrix, an array), and the eventload command it runs is handed, as
// written, to the real CLI as a --dry-run over the fixtures with the engine's index variable set:
// the invocation must parse, and the worker must take the shard the engine meant.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixture, root, runCli } from '../helpers.js';
import { useTempDirs } from '../import/helpers.js';
import { blocksOf } from './markdown.js';

const tempDir = useTempDirs();
const page = await readFile(join(root, 'docs', 'scale-out.md'), 'utf8');
const blocks = blocksOf('docs/scale-out.md', page);
const yamlBlocks = blocks.filter((block) => block.lang === 'yaml').map((block) => parse(block.body) as Record<string, any>);

/** Runs the documented arguments as a dry run from `dir`; files the manifest names are fixtures copied to where it expects them. */
async function dryRun(dir: string, args: string[], env: Record<string, string>) {
  for (const arg of args) {
    if (/\.csv$/.test(arg)) await place(dir, arg, fixture('orders.csv'));
    if (/mapping\.json$/.test(arg)) await place(dir, arg, fixture('orders.mapping.json'));
  }
  const local = args.map((arg) => (arg.startsWith('/') ? join(dir, arg) : arg));
  const result = await runCli([...local, '--dry-run'], { cwd: dir, env: { JOB_COMPLETION_INDEX: undefined, AWS_BATCH_JOB_ARRAY_INDEX: undefined, SLURM_ARRAY_TASK_ID: undefined, ...env } });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { shard: { index: number; count: number; from?: string }; outcome: string };
}

async function place(dir: string, path: string, from: string): Promise<void> {
  const target = join(dir, path);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(from, target);
}

describe('docs/scale-out.md', () => {
  it('Kubernetes: an Indexed Job of N pods, the token from a Secret, a journal per pod on a volume, running a valid eventload import', async () => {
    const job = yamlBlocks.find((doc) => doc.kind === 'Job')!;
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.spec.completionMode).toBe('Indexed');
    const count = job.spec.completions as number;
    expect(job.spec.parallelism).toBe(count);
    const pod = job.spec.template.spec;
    const container = pod.containers[0];
    expect(container.env.find((entry: any) => entry.name === 'FLOWMYNA_API_KEY').valueFrom.secretKeyRef.name).toBeTruthy();
    const mounts = new Map(container.volumeMounts.map((mount: any) => [mount.name, mount]));
    for (const volume of pod.volumes) expect(volume.persistentVolumeClaim.claimName, volume.name).toBeTruthy();
    const args = container.args as string[];
    const shard = args[args.indexOf('--shard') + 1];
    expect(shard).toBe(`auto/${count}`);
    const journal = args[args.indexOf('--journal') + 1]!;
    expect(journal).toContain('$(JOB_COMPLETION_INDEX)'); // one journal file per pod
    expect([...mounts.values()].some((mount: any) => journal.startsWith(`${mount.mountPath}/`) && !mount.readOnly)).toBe(true);
    expect(container.command.at(-1)).toBe('eventload');

    const dir = await tempDir();
    // Kubernetes expands $(VAR) in args from the container's environment.
    const expanded = args.map((arg) => arg.replaceAll('$(JOB_COMPLETION_INDEX)', '2'));
    const summary = await dryRun(dir, expanded, { JOB_COMPLETION_INDEX: '2' });
    expect(summary.shard).toMatchObject({ index: 2, count, from: 'JOB_COMPLETION_INDEX', mode: 'file' });
  });

  it('GitHub Actions: a matrix of N shards, each running a valid eventload import of its own shard', async () => {
    const workflow = yamlBlocks.find((doc) => doc.jobs !== undefined)!;
    const job = Object.values(workflow.jobs)[0] as any;
    const shards = job.strategy.matrix.shard as number[];
    expect(job.strategy['fail-fast']).toBe(false);
    const step = job.steps.find((candidate: any) => typeof candidate.run === 'string' && candidate.run.includes('eventload'));
    expect(step.env.FLOWMYNA_API_KEY).toBe('${{ secrets.FLOWMYNA_API_KEY }}');
    const command = (step.run as string).slice(step.run.indexOf('eventload') + 'eventload'.length).trim();
    expect(shards).toEqual(shards.map((_, index) => index));
    for (const shard of [0, shards.length - 1]) {
      const dir = await tempDir();
      const args = command.replaceAll('${{ matrix.shard }}', String(shard)).split(/\s+/);
      const summary = await dryRun(dir, args, {});
      expect(summary.shard).toMatchObject({ index: shard, count: shards.length });
    }
  });

  it('Slurm: an array of N tasks whose eventload line is a valid invocation taking its index from SLURM_ARRAY_TASK_ID', async () => {
    const script = blocks.find((block) => block.body.includes('#SBATCH'))!.body;
    const range = /#SBATCH --array=(\d+)-(\d+)/.exec(script)!;
    const count = Number(range[2]) - Number(range[1]) + 1;
    const line = script.split('\n').find((text) => text.startsWith('eventload '))!;
    const dir = await tempDir();
    await place(dir, 'orders.mapping.json', fixture('orders.mapping.json'));
    // What bash does to the line: the glob becomes the files, quotes go, variables are expanded.
    const files = ['/scratch/exports/orders-2023.csv', '/scratch/exports/orders-2024.csv'];
    const task = 3;
    const words = line
      .replaceAll('${SLURM_ARRAY_TASK_ID}', String(task))
      .replaceAll('${EVENTLOAD_SHARD:-auto/8}', 'auto/8')
      .replaceAll('"', '')
      .split(/\s+/)
      .slice(1)
      .flatMap((word) => (word.includes('*') ? files : [word]));
    expect(line).toContain(`auto/${count}`);
    const summary = await dryRun(dir, words, { SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_TASK_MIN: range[1]!, SLURM_ARRAY_TASK_COUNT: String(count) });
    expect(summary.shard).toMatchObject({ index: task, count, from: 'SLURM_ARRAY_TASK_ID' });
    // The documented rerun of one task: EVENTLOAD_SHARD names the shard, the array's own count is 1.
    const rerunWords = words.map((word) => (word === 'auto/8' ? '5/8' : word));
    const rerun = await dryRun(dir, rerunWords, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_COUNT: '1' });
    expect(rerun.shard).toMatchObject({ index: 5, count });
  });
});
