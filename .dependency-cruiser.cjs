// The architecture's rules, checked by `npm run depcheck` (which .ci/run runs). ARCHITECTURE.md
// explains the layers; this file is what holds the code to them. Each rule says why it exists.
const MODEL = '^src/(codes|errors|registry|events|secrets)[./]';
const ABOVE_MODEL = '^src/(cli|core|config|options|init|journal|mapping|output|pipeline|readers|replay|report|sandbox|sync|targets|upload)/';
const PARTS = '^src/(readers|mapping|pipeline|targets|sandbox|upload|journal|output|report)/';
const COMPOSITION = '^src/(core|replay|sync|options|config|init)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be understood, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'only-bin-imports-the-cli',
      severity: 'error',
      comment: 'Only src/cli prints and exits; a module that imports it would print or exit too.',
      from: { pathNot: '^(src/cli/|bin/)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-terminal-outside-the-cli',
      severity: 'error',
      comment: 'The spinner (ora) is the terminal: the core emits progress events, the CLI renders them.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: 'node_modules/ora/' },
    },
    {
      name: 'the-model-stands-alone',
      severity: 'error',
      comment: 'Codes, errors, the registry class, the canonical event, timestamps, keys and redaction are used by every layer; they use none.',
      from: { path: MODEL },
      to: { path: ABOVE_MODEL },
    },
    {
      name: 'parts-do-not-know-the-run',
      severity: 'error',
      comment: 'Readers, mapping, targets, the uploader, the journal and the reports are parts the run composes; none of them knows the run (core), its stages (replay, sync) or the command line (options, config, init).',
      from: { path: PARTS },
      to: { path: COMPOSITION },
    },
    {
      name: 'the-core-does-not-know-its-callers',
      severity: 'error',
      comment: 'replay and sync compose deliver(); the core must not depend on them, nor on how options are spelled on the command line.',
      from: { path: '^src/core/' },
      to: { path: '^src/(replay|sync|options|config|init)/' },
    },
    {
      name: 'one-target-does-not-reach-into-another',
      severity: 'error',
      comment: 'A target is one folder: adding or removing one touches no other target.',
      from: { path: '^src/targets/([^/]+)/' },
      to: { path: '^src/targets/[^/]+/', pathNot: '^src/targets/$1/' },
    },
    {
      name: 'one-format-does-not-reach-into-another',
      severity: 'error',
      comment: 'A format is one folder. BPMN dumps and rejects files are JSON, so the json folder is one every format may build on; xml is the other (the streaming XML layer of XES and OCEL XML).',
      from: { path: '^src/readers/([^/]+)/' },
      to: { path: '^src/readers/[^/]+/', pathNot: '^src/readers/($1|json|xml)/' },
    },
    {
      name: 'plugins-through-their-registry',
      severity: 'error',
      comment: 'Outside its own folder, a target or a format is reached only through its registry (index.ts) and shared types: the registry is the only list.',
      from: { path: '^src/', pathNot: '^src/(targets|readers)/' },
      to: { path: '^src/(targets|readers)/[^/]+/' },
    },
    {
      name: 'no-tests-or-bench-in-src',
      severity: 'error',
      comment: 'What ships (dist/) is built from src alone.',
      from: { path: '^(src|bin)/' },
      to: { path: '^(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs'] },
  },
};
