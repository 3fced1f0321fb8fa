// `npx eventload` works from the packed tarball: npm pack, install it into an empty folder, then
// run the installed command. The install prefers the local npm cache but may ask the registry for
// what the cache lacks (--prefer-offline): `npm ci` caches tarballs, not package metadata, so an
// --offline install passed only on machines whose cache happened to hold more. The install and npx
// run with the compilers hidden from PATH (issue 18): no dependency may build anything on install.
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, readFile, realpath, stat, symlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixture, root, withTempDir } from '../helpers.js';

const run = promisify(execFile);
const hasNpm = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;

/** No credentials from the developer's shell, no colour, no forced terminal. */
const env = (): NodeJS.ProcessEnv => {
  const clean: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const key of ['FLOWMYNA_API_KEY', 'IMMUTABLE_API_KEY', 'FLARING_TOKEN', 'FLARING_EMAIL', 'FLARING_PASSWORD', 'EVENTLOAD_FORCE_TTY']) delete clean[key];
  return clean;
};

/** A folder holding only node, npm, npx and sh (symlinks): a PATH on which no compiler, make or python can be found. */
async function noCompilerPath(dir: string): Promise<string> {
  const bin = join(dir, 'path-without-compilers');
  await mkdir(bin);
  const which = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  await symlink(process.execPath, join(bin, 'node'));
  for (const name of ['npm', 'npx', 'sh']) await symlink(await realpath(which(name)), join(bin, name));
  return bin;
}

describe.skipIf(!hasNpm)('npm pack, install offline, npx eventload (skipped: npm is not on PATH)', () => {
  it('ships only bin, dist (no source maps), docs (pages and their screenshots), README and package.json', async () => {
    // --ignore-scripts: dist/ is built by the test setup; rebuilding here would race other test files.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, env: env() });
    const [pack] = JSON.parse(stdout) as Array<{ files: Array<{ path: string; mode: number }> }>;
    const paths = pack!.files.map((file) => file.path);
    expect(paths.filter((path) => !/^(bin\/eventload\.js|dist\/.+\.js|docs\/.+\.(md|png)|README\.md|package\.json|LICENSE)$/.test(path))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['bin/eventload.js', 'dist/cli/main.js', 'README.md', 'package.json']));
    const binary = pack!.files.find((file) => file.path === 'bin/eventload.js')!;
    expect(binary.mode & 0o111, 'bin/eventload.js is executable').not.toBe(0);
  });

  it('declares the Node versions CI tests (20, 22, 24), and the bin starts with a node shebang and loads the ESM entry', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; bin: Record<string, string>; type: string };
    expect(manifest.engines.node).toBe('20.x || 22.x || 24.x');
    expect(manifest.type).toBe('module');
    expect(manifest.bin).toEqual({ eventload: 'bin/eventload.js' });
    const binary = await readFile(join(root, 'bin', 'eventload.js'), 'utf8');
    expect(binary.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(binary).toContain("from '../dist/cli/main.js'");
  });

  it(
    'with no compiler on PATH: installs from the tarball (cache first, registry for what it lacks), runs `npx <tarball> --version`, `npx eventload --version` and a sandbox import (journal included)',
    async () => {
      await withTempDir(async (dir) => {
        const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, env: env() });
        const tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
        const bare = { ...env(), PATH: await noCompilerPath(dir) };
        for (const tool of ['g++', 'gcc', 'cc', 'c++', 'make', 'python3', 'python']) {
          expect(spawnSync('sh', ['-c', `command -v ${tool}`], { env: bare }).status, `${tool} is hidden`).not.toBe(0);
        }
        expect(bare.PATH.split(delimiter)).toHaveLength(1);
        const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };

        // As the issue puts it: npx straight from the tarball, in an empty folder (a bare path would be
        // taken for a command to run: `file:` makes it a package spec).
        const empty = join(dir, 'empty');
        await mkdir(empty);
        const direct = await run('npx', ['--yes', '--prefer-offline', `file:${tarball}`, '--version'], { cwd: empty, env: bare, timeout: 100_000, maxBuffer: 16 * 1024 * 1024 });
        expect(direct.stdout.trim()).toBe(version);

        const app = join(dir, 'app');
        await mkdir(app);
        // --prefer-offline: what the cache holds is used as it is; only what it lacks is fetched.
        await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env: bare, timeout: 100_000, maxBuffer: 16 * 1024 * 1024 });
        expect((await stat(join(app, 'node_modules', '.bin', 'eventload'))).isFile()).toBe(true);

        // As a user types it; offline, so a missing local install fails instead of fetching one.
        const npx = { cwd: app, env: { ...bare, npm_config_offline: 'true' }, timeout: 60_000 };
        const shown = await run('npx', ['eventload', '--version'], npx);
        expect(shown.stdout.trim()).toBe(version);

        const imported = await run('npx', ['eventload', 'import', fixture('orders.csv'), '-m', fixture('orders.mapping.json'), '--target', 'flowmyna', '--sandbox', '--json'], npx);
        expect(JSON.parse(imported.stdout)).toMatchObject({ target: 'flowmyna', outcome: 'completed', read: 8, accepted: 8, rejectedLocal: 0, rejectedServer: 0 });
      });
    },
    240_000, // two installs (npx's and the app's), from the cache or the registry; nothing is compiled
  );
});
