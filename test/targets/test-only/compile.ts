// Runs the test-only target's files under plain node, which has no TypeScript loader: each file is
// transpiled (types stripped; `tsc -p tsconfig.json` checks them) into a temporary folder laid out
// like the project, whose `src` is a link to the built dist/. Their imports of ../../../src/… then
// reach the very modules bin/eventload.js runs (node follows the link to dist/: one registry).
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { root } from '../../helpers.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The CLI entry with the "tally" target registered (cli.ts), as a file node can run. */
export async function compileTallyCli(): Promise<{ script: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'eventload-tally-'));
  const out = join(dir, 'test', 'targets', 'test-only');
  await mkdir(out, { recursive: true });
  for (const name of ['plugin', 'sandbox', 'cli']) {
    const source = await readFile(join(here, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
    await writeFile(join(out, `${name}.js`), outputText);
  }
  await symlink(join(root, 'dist'), join(dir, 'src'), 'dir');
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  return { script: join(out, 'cli.js'), dispose: () => rm(dir, { recursive: true, force: true }) };
}
