// Builds the CLI once before the tests (the same build as npm run build), so CLI tests run the code
// under test, not a stale dist/.
// .ci/run sets EVENTLOAD_TEST_DIST_BUILT=1 for its runs on further Node versions: the first run
// built dist/ from the same tree (the build's output does not depend on the Node version).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  if (process.env.EVENTLOAD_TEST_DIST_BUILT === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}scripts/build.mjs`], { cwd: root, stdio: 'inherit' });
}
