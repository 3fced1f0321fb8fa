// Why: a README example that no longer runs is the first thing a new user hits, and nothing else
// notices it. Every shell example in README.md and docs/ runs here, as written, against the
// fixtures and the local sandbox, and must exit as the docs imply; one that cannot run says why.
//
// How a doc tells this test how to run its example (HTML comments right above the fence):
//   <!-- not runnable: REASON -->      the block is not run (the reason is mandatory)
//   <!-- exit: N -->                   every command of the block must exit N (default 0)
//   <!-- file: PATH -->                on a JSON/YAML block: write it to PATH for later examples
//   <!-- same as: REPO_PATH -->        the block must equal that repository file (JSON compared)
//   <!-- skip CMD, CMD because WHY --> leave out those commands (`a && b` parts) of the block
//   <!-- fresh folder -->              run without SHARED and the files earlier blocks of the doc wrote
// Every example runs in its own temporary folder holding the fixtures (fixtures/, bin/), SEED
// (the user's own data the docs assume), SHARED (files one page writes and other pages use, as the
// user would have them), plus the `file:` blocks above it in the same doc.
// `eventload` and `npx eventload` run the built bin/eventload.js; `npm` refuses unless marked.
// `eventload sandbox …` runs in the background until the block ends; a fixed `--port N` is
// replaced by a free port in the whole block (agents and CI run in parallel on one machine).
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bin, root } from '../helpers.js';
import { blocksOf, commandsOf, looksLikeCommand, runLinesOf, SHELL_LANGS, strayMarkers, type Block, type Marker } from './markdown.js';

/** Data files the docs refer to as the user's own, made from the fixtures. */
const SEED: Record<string, string> = {
  'exports/orders.csv': 'fixtures/orders.csv',
  'orders.csv': 'fixtures/orders.csv',
  'audit.ndjson': 'fixtures/events.ndjson',
};

/**
 * Files one page writes in a `file:` block and other pages use. docs/mapping.md shows this mapping
 * (its `same as:` marker keeps the two equal); the config examples and CI steps elsewhere name it.
 */
const SHARED: Record<string, string> = {
  'orders.mapping.json': 'fixtures/orders.mapping.json',
};

const DOCS = ['README.md', ...(await markdownUnder('docs'))];

async function markdownUnder(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length))
    .sort();
}

let shims: string;
beforeAll(async () => {
  shims = await mkdtemp(join(tmpdir(), 'eventload-docs-bin-'));
  const script = (body: string) => `#!/usr/bin/env bash\n${body}\n`;
  await writeShim('eventload', script(`exec "${process.execPath}" "${bin}" "$@"`));
  await writeShim('npx', script('if [ "$1" = eventload ]; then shift; exec eventload "$@"; fi\necho "docs test: npx runs only eventload here" >&2; exit 127'));
  await writeShim('npm', script('echo "docs test: npm is not run; mark the example <!-- skip npm … because … -->" >&2; exit 127'));
});
afterAll(async () => {
  if (shims) await rm(shims, { recursive: true, force: true });
});

async function writeShim(name: string, text: string): Promise<void> {
  await writeFile(join(shims, name), text);
  await chmod(join(shims, name), 0o755);
}

const BLOCKS = await Promise.all(DOCS.map(async (doc) => blocksOf(doc, await readFile(join(root, doc), 'utf8'))));

for (const [index, doc] of DOCS.entries()) {
  // Each example has its own folder, so they can run side by side (the suite stays fast on 2 cores).
  describe.concurrent(doc, () => {
    const blocks = BLOCKS[index]!;
    test(`${doc}: every marker sits right above a block`, async () => {
      expect(strayMarkers(await readFile(join(root, doc), 'utf8'))).toEqual([]);
    });
    const written: { path: string; body: string }[] = [];
    for (const block of blocks) {
      const name = `${doc}:${block.line}`;
      const invalid = block.markers.filter((m): m is Extract<Marker, { kind: 'invalid' }> => m.kind === 'invalid');
      if (invalid.length > 0) {
        test(`${name} markers`, () => expect.fail(invalid.map((m) => `<!-- ${m.text} -->: ${m.problem}`).join('\n')));
        continue;
      }
      defineBlockTests(name, block, [...written]);
      for (const marker of block.markers) if (marker.kind === 'file') written.push({ path: marker.path, body: block.body });
    }
  });
}

function defineBlockTests(name: string, block: Block, written: { path: string; body: string }[]): void {
  const notRunnable = block.markers.find((m) => m.kind === 'not-runnable');
  for (const marker of block.markers) {
    if (marker.kind === 'same-as') {
      test(`${name} is ${marker.path}`, async () => {
        const file = await readFile(join(root, marker.path), 'utf8');
        expect(JSON.parse(block.body), `the block at ${name} differs from ${marker.path}`).toEqual(JSON.parse(file));
      });
    }
    if (marker.kind === 'file' && block.lang === 'json') {
      test(`${name} is valid JSON for ${marker.path}`, () => expect(() => JSON.parse(block.body)).not.toThrow());
    }
  }
  const commands = SHELL_LANGS.has(block.lang) ? commandsOf(block) : block.lang === 'yaml' || block.lang === 'yml' ? runLinesOf(block) : [];
  if (block.lang === '' && looksLikeCommand(block.body) && !notRunnable) {
    test(name, () => expect.fail(`${name}: a block with no language holds a command: mark it \`\`\`sh (or <!-- not runnable: why -->)`));
    return;
  }
  if (commands.length === 0) return;
  if (notRunnable) {
    test.skip(`${name} (not runnable: ${notRunnable.kind === 'not-runnable' ? notRunnable.reason : ''})`, () => {});
    return;
  }
  test(name, async () => {
    const fresh = block.markers.some((m) => m.kind === 'fresh-folder');
    const exit = block.markers.find((m) => m.kind === 'exit');
    const skipped = block.markers.flatMap((m) => (m.kind === 'skip' ? m.commands : []));
    const runnable = commands.map((c) => ({ ...c, command: withoutSkipped(c.command, skipped) })).filter((c) => c.command !== '');
    const result = await runInFolder(await withFreePorts(runnable), fresh ? [] : written, !fresh);
    const expected = exit && exit.kind === 'exit' ? exit.code : 0;
    for (const command of runnable) {
      const code = result.codes.get(command.line);
      if (code !== expected) {
        expect.fail(`${block.file}:${command.line}: \`${command.command}\` exited ${code ?? '(not reached)'}, the docs imply ${expected}\n${result.output}`);
      }
    }
  }, 60_000);
}

/** Drops the `&&` parts of a command that a skip marker names. */
function withoutSkipped(command: string, skipped: string[]): string {
  if (skipped.length === 0) return command;
  const startsWith = (part: string, cmd: string) => part === cmd || part.startsWith(`${cmd} `);
  return command
    .split(/\s+&&\s+/)
    .filter((part) => !skipped.some((cmd) => startsWith(part.trim(), cmd)))
    .join(' && ');
}

const isSandbox = (command: string) => /^(npx\s+)?eventload\s+sandbox\b/.test(command);

/** A fixed port of a background sandbox becomes a free one, everywhere in the block. */
async function withFreePorts(commands: { line: number; command: string }[]): Promise<{ line: number; command: string }[]> {
  let result = commands;
  for (const { command } of commands) {
    const port = isSandbox(command) ? /(?:--port|-p)[ =](\d+)/.exec(command)?.[1] : undefined;
    if (!port || port === '0') continue;
    const free = String(await freePort());
    result = result.map((c) => ({ ...c, command: c.command.replace(new RegExp(`\\b${port}\\b`, 'g'), free) }));
  }
  return result;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs the commands one after another in one shell (so `export` carries over) in a new folder. */
async function runInFolder(commands: { line: number; command: string }[], written: { path: string; body: string }[], shared: boolean): Promise<{ codes: Map<number, number>; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'eventload-docs-'));
  try {
    await prepare(dir, written, shared);
    const results = join(dir, '.el-results');
    const script = ['trap \'kill $(jobs -p) 2>/dev/null\' EXIT'];
    for (const { line, command } of commands) {
      script.push(`echo ${shellQuote(`$ ${command}`)}`);
      if (isSandbox(command)) {
        const log = `.el-sandbox-${line}.log`;
        script.push(`${command} >${log} 2>&1 &`);
        script.push(`for _ in $(seq 200); do grep -q 'listening on' ${log} && break; sleep 0.1; done`);
        script.push(`grep -q 'listening on' ${log}; echo "${line} $?" >>${shellQuote(results)}; cat ${log}`);
      } else {
        script.push(command, `echo "${line} $?" >>${shellQuote(results)}`);
      }
    }
    const output = await runBash(script.join('\n'), dir);
    const codes = new Map<number, number>();
    const recorded = await readFile(results, 'utf8').catch(() => '');
    for (const row of recorded.split('\n').filter(Boolean)) {
      const [line, code] = row.split(' ').map(Number);
      codes.set(line!, code!);
    }
    return { codes, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function prepare(dir: string, written: { path: string; body: string }[], shared: boolean): Promise<void> {
  await cp(join(root, 'fixtures'), join(dir, 'fixtures'), { recursive: true });
  await symlink(join(root, 'bin'), join(dir, 'bin'));
  for (const [to, from] of Object.entries({ ...SEED, ...(shared ? SHARED : {}) })) {
    await mkdir(dirname(join(dir, to)), { recursive: true });
    await cp(join(root, from), join(dir, to));
  }
  for (const file of written) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), `${file.body}\n`);
  }
}

function runBash(script: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    // Only what a clean shell has: no tokens, endpoints or journal settings leak in from the machine.
    for (const key of ['HOME', 'LANG', 'TMPDIR', 'TERM']) if (process.env[key]) env[key] = process.env[key]!;
    Object.assign(env, { PATH: `${shims}:${dirname(process.execPath)}:/usr/bin:/bin`, NO_COLOR: '1', CI: '1', HOME: cwd });
    const child = spawn('bash', ['-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 55_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output.length > 8000 ? `…${output.slice(-8000)}` : output);
    });
  });
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
