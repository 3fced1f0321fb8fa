// `npm run build` (and so `npm ci`, through `prepare`): compiles src/ to dist/ one file at a time
// with TypeScript's own transpiler, without type-checking. Type-checking the whole program took
// ~20 s of CPU here, most of a fresh clone's `npm ci` (issue 18 asks for under 60 s); checking
// is `npm run typecheck`'s job, which CI runs before the tests. `isolatedModules` in tsconfig.json
// makes tsc reject anything a file-by-file transpile would get wrong, so the output is the same.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const configPath = join(root, 'tsconfig.build.json');
const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) });
if (parsed.errors.length > 0) fail(parsed.errors);
const { fileNames } = parsed;
// transpileModule cannot see package.json's "type": "module" that NodeNext reads, so ESM is said outright.
const options = { ...parsed.options, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
if (!options.isolatedModules) fail([], 'tsconfig.json must set isolatedModules: a file-by-file build is only exact with it');

// A fresh dist/: a file removed from src/ must not live on in the build.
rmSync(options.outDir, { recursive: true, force: true });
for (const file of fileNames) {
  const out = join(options.outDir, relative(options.rootDir, file)).replace(/\.ts$/, '.js');
  const result = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true });
  if (result.diagnostics?.length) fail(result.diagnostics);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, result.outputText.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${out.split('/').pop()}.map`));
  if (result.sourceMapText) writeFileSync(`${out}.map`, withSource(result.sourceMapText, file, out));
}

/** The map names its source relative to the output, as tsc writes it. */
function withSource(mapText, file, out) {
  const map = JSON.parse(mapText);
  map.file = out.split('/').pop();
  map.sources = [relative(dirname(out), file)];
  return JSON.stringify(map);
}

function fail(diagnostics, message) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  process.stderr.write(message ? `build: ${message}\n` : ts.formatDiagnostics(diagnostics, host));
  process.exit(1);
}
