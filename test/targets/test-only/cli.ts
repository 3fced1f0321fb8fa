// The CLI with the test-only "tally" target registered before it runs: what bin/eventload.js does,
// plus one registerTarget call. Compiled next to dist/ by compile.ts, run by the proof test.
import { main } from '../../../src/cli/main.js';
import { registerTarget } from '../../../src/targets/index.js';
import { tallyTarget } from './plugin.js';

registerTarget(tallyTarget);
main(process.argv).then((code) => {
  process.exitCode = code;
});
