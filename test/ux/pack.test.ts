// `npx eventload` works from the packed tarball: npm pack, install it into an empty folder, then
// run the installed command. The install prefers the local npm cache but may ask the registry for
// what the cache lacks (--prefer-offline): `npm ci` caches tarballs, not package metadata, so an
// --offline install passed only on machines whose cache happened to hold more. Slow: the install
// builds better-sqlite3 from source when no prebuilt binary is cached (about a minute on two cores).
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
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

  it('declares Node 20 or newer, and the bin starts with a node shebang and loads the ESM entry', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; bin: Record<string, string>; type: string };
    expect(manifest.engines.node).toBe('>=20');
    expect(manifest.type).toBe('module');
    expect(manifest.bin).toEqual({ eventload: 'bin/eventload.js' });
    const binary = await readFile(join(root, 'bin', 'eventload.js'), 'utf8');
    expect(binary.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(binary).toContain("from '../dist/cli/main.js'");
  });

  it(
    'installs from the tarball (cache first, registry for what it lacks) and runs `npx eventload --version` and a sandbox import',
    async () => {
      await withTempDir(async (dir) => {
        const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, env: env() });
        const tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
        const app = join(dir, 'app');
        await mkdir(app);
        // --prefer-offline: what the cache holds is used as it is; only what it lacks is fetched.
        await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env: env(), timeout: 420_000, maxBuffer: 16 * 1024 * 1024 });
        expect((await stat(join(app, 'node_modules', '.bin', 'eventload'))).isFile()).toBe(true);

        const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
        // As a user types it; offline, so a missing local install fails instead of fetching one.
        const npx = { cwd: app, env: { ...env(), npm_config_offline: 'true' }, timeout: 60_000 };
        const shown = await run('npx', ['eventload', '--version'], npx);
        expect(shown.stdout.trim()).toBe(version);

        const imported = await run('npx', ['eventload', 'import', fixture('orders.csv'), '-m', fixture('orders.mapping.json'), '--target', 'flowmyna', '--sandbox', '--json'], npx);
        expect(JSON.parse(imported.stdout)).toMatchObject({ target: 'flowmyna', outcome: 'completed', read: 8, accepted: 8, rejectedLocal: 0, rejectedServer: 0 });
      });
    },
    480_000, // the install compiles better-sqlite3 when no prebuilt binary can be fetched: minutes on a busy 2-core machine
  );
});
