// Writes docs/cli.md from the option and command tables (src/options), through the compiled code,
// so the reference says exactly what the built CLI does. Run as `npm run docs:cli` (it builds first).
import { writeFileSync } from 'node:fs';
import { cliReference } from '../dist/options/reference.js';

const file = new URL('../docs/cli.md', import.meta.url);
writeFileSync(file, cliReference());
process.stdout.write('wrote docs/cli.md\n');
