// dependency-cruiser: the import rules of ARCHITECTURE.md, checked by `npm run lint` (`npm run lint:deps`).
// A rule names the layer an import leaves (`from`) and where it may not go (`to`); paths are project-relative.
// Violations that existed when a rule was written are listed in .dependency-cruiser-known-violations.json (made
// with `npm run lint:deps:baseline`) and ignored, so only a new wrong-way import fails; each one removed from the
// code must also leave that file. dependency-cruiser reads TypeScript and JavaScript, not .astro or .mdx: the
// imports of the components' templates and scripts are checked by test/unit/architecture.test.ts.

/** The site at build time and in the browser: components, pages, layouts, and the modules they share. */
const site = '^src/(site|components|pages|layouts)/|^src/content[.]config[.]ts$|^astro[.]config[.]mjs$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No two modules import each other, directly or round a longer loop: a circle has no bottom to test first.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'library-imports-down-only',
      comment: 'src/lib is the question-agnostic library: it never imports the site, the experiments, the command-line scripts or the tests.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^(src/(site|components|pages|layouts)|experiments|scripts|test)/' },
    },
    {
      name: 'data-below-training',
      comment: 'Data formats and data sets (src/lib/data) are below the harness and the training loops: they import neither.',
      severity: 'error',
      from: { path: '^src/lib/data/' },
      to: { path: '^src/lib/(harness|train)/' },
    },
    {
      name: 'site-without-harness',
      comment:
        'The site reads snapshots through the content collection and the library (src/lib/snapshot-schema.ts, src/lib/provenance/), never through the harness that writes them.',
      severity: 'error',
      from: { path: site },
      to: { path: '^src/lib/harness/' },
    },
    {
      name: 'site-settings-unhashed',
      comment:
        'src/lib/settings.ts is hashed into every snapshot, so it holds only what shapes numbers; the site and the browser tests read theirs from src/lib/site-settings.ts, and editing them stales no snapshot.',
      severity: 'error',
      from: { path: `${site}|^test/e2e/` },
      to: { path: '^src/lib/settings[.]ts$' },
    },
    {
      name: 'hashed-without-site-settings',
      comment:
        'The experiments and the library never read the site settings: a module an experiment imports is hashed into its snapshots, so src/lib/site-settings.ts stays out of that closure.',
      severity: 'error',
      from: { path: '^(src/lib|experiments)/', pathNot: '^src/lib/site-settings[.]ts$' },
      to: { path: '^src/lib/site-settings[.]ts$' },
    },
    {
      name: 'nothing-imports-the-site',
      comment: 'The experiments, the command-line scripts and the library never import the site: what they share with it lives in src/lib.',
      severity: 'error',
      from: { path: '^(src/lib|experiments|scripts)/' },
      to: { path: '^src/(site|components|pages|layouts)/' },
    },
    {
      name: 'experiments-not-scripts',
      comment: 'Experiments are definitions the harness runs; the scripts run them, never the other way round.',
      severity: 'error',
      from: { path: '^experiments/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'one-home-per-question',
      comment:
        'Each question lives in its own folder (experiments/q1, q2, q3): it imports the library and its own modules, never another question or the benchmarks; what two questions share belongs in src/lib.',
      severity: 'error',
      from: { path: '^experiments/(q[0-9]+)/' },
      to: { path: '^experiments/', pathNot: '^experiments/$1/' },
    },
    {
      name: 'experiments-listed-once',
      comment: 'experiments/index.ts lists every experiment for the runners; no experiment module imports it.',
      severity: 'error',
      from: { path: '^experiments/' },
      to: { path: '^experiments/index[.]ts$' },
    },
    {
      name: 'no-vitest-outside-tests',
      comment: 'Experiments and the library run outside Vitest too (scripts/experiment.ts, workers): only test/ imports it.',
      severity: 'error',
      from: { path: '^(src|experiments|scripts)/' },
      to: { path: 'node_modules/(vitest|@vitest)/' },
    },
    {
      name: 'nothing-imports-tests',
      comment: 'test/ imports the project; nothing in the project imports test/.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'client-is-browser-code',
      comment:
        'src/site/client is exactly the code shipped to the browser: it imports other client modules and browser-safe library modules, never build-time site code, Node built-ins, the harness, settings or the file system.',
      severity: 'error',
      from: { path: '^src/site/client/' },
      to: {
        path: '^src/(site/(?!client/)|components/|pages/|layouts/|content[.]config[.]ts)|^src/lib/(harness|fs|backend)/|^src/lib/(settings|site-settings|environment)[.]ts$',
      },
    },
    {
      name: 'client-no-node',
      comment: 'Browser code imports no Node built-in (node:fs, node:path, ...).',
      severity: 'error',
      from: { path: '^src/site/client/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'plugins-are-markdown-only',
      comment: 'Remark/rehype plugins (src/site/plugins) run on the Markdown at build time: they import no components, pages, layouts or browser code.',
      severity: 'error',
      from: { path: '^src/site/plugins/' },
      to: { path: '^src/(components|pages|layouts|site/client)/' },
    },
    {
      name: 'site-modules-below-components',
      comment: 'The shared site modules (src/site/*.ts) serve the components and pages; they import neither.',
      severity: 'error',
      from: { path: '^src/site/' },
      to: { path: '^src/(components|pages|layouts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|[.]astro|[.]scratch|[.]cache|models|snapshots)/' },
    // `import type` counts: a type import is an arrow like any other (src/lib/data/images.ts -> the harness).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Listed so their folders show in the graph; their imports are checked by test/unit/architecture.test.ts.
    extraExtensionsToScan: ['.astro', '.mdx'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.json', '.d.ts'],
    },
  },
};
