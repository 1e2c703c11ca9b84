/**
 * The import rules of ARCHITECTURE.md hold and fail as they should:
 * - dependency-cruiser (.dependency-cruiser.cjs, run by `npm run lint`) flags each kind of wrong-way import in a
 *   small tree of its own, and lets the right-way ones through;
 * - the imports dependency-cruiser cannot read, those of .astro components, pages and layouts and of the MDX
 *   chapters, are checked here: a component's <script> runs in the browser, so it imports only src/site/client;
 *   the build-time frontmatter never reaches the harness; a chapter imports only components.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const projectRoot = process.cwd();
let tree: string;

/** `{ path: text }` written below the scratch tree. */
async function writeTree(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), text);
  }
}

beforeAll(async () => {
  await mkdir(join(projectRoot, '.scratch'), { recursive: true });
  tree = await mkdtemp(join(projectRoot, '.scratch', 'architecture-'));
  await writeTree({
    'tsconfig.json': '{ "compilerOptions": { "allowImportingTsExtensions": true, "noEmit": true, "module": "ESNext", "moduleResolution": "Bundler" } }\n',
    // Wrong ways.
    'src/lib/upward.ts': "import { withBase } from '../site/links.ts';\nexport const a = withBase;\n",
    'src/lib/data/reader.ts': "import type { Runner } from '../harness/runner.ts';\nexport type R = Runner;\n",
    'src/lib/harness/runner.ts': 'export type Runner = number;\n',
    'src/site/client/widget.ts':
      "import { readFile } from 'node:fs/promises';\nimport { withBase } from '../links.ts';\nexport const w = [readFile, withBase];\n",
    'src/site/staleness.ts': "import type { Runner } from '../lib/harness/runner.ts';\nexport type S = Runner;\n",
    'scripts/tool.ts': "import { withBase } from '../src/site/links.ts';\nexport const t = withBase;\n",
    'src/lib/models/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
    'src/lib/models/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    'src/lib/testing.ts': "import { expect } from 'vitest';\nexport const check = expect;\n",
    'src/site/base.ts': "import { settings } from '../lib/settings.ts';\nexport const base = settings;\n",
    'src/lib/models/sized.ts': "import { siteSettings } from '../site-settings.ts';\nexport const size = siteSettings;\n",
    'experiments/q2/borrowed.ts': "import { q3 } from '../q3/asr.ts';\nexport const b = q3;\n",
    'experiments/q1/listed.ts': "import { all } from '../index.ts';\nexport const l = all;\n",
    'experiments/q3/reads-back.ts': "import { q1 } from '../../experiments/q1/linear-attention.ts';\nexport const r = q1;\n",
    // Right ways.
    'experiments/index.ts': "import { q1 } from './q1/linear-attention.ts';\nimport { q3 } from './q3/asr.ts';\nexport const all = [q1, q3];\n",
    'experiments/q1/linear-attention.ts': "import { sha256 } from '../../src/lib/provenance/hash.ts';\nexport const q1 = sha256;\n",
    'experiments/q3/asr.ts': "import { shared } from './config.ts';\nexport const q3 = shared;\n",
    'experiments/q3/config.ts': "import { settings } from '../../src/lib/settings.ts';\nexport const shared = settings;\n",
    'experiments/bench/step.ts': "import { q3 } from '../q3/asr.ts';\nexport const step = q3;\n",
    'src/site/links.ts': "import { sha256 } from '../lib/provenance/hash.ts';\nexport const withBase = sha256;\n",
    'src/lib/provenance/hash.ts': 'export const sha256 = (text: string) => text;\n',
    'src/lib/settings.ts': 'export const settings = () => 1;\n',
    'src/lib/site-settings.ts': 'export const siteSettings = () => 2;\n',
    'src/site/settings.ts': "import { siteSettings } from '../lib/site-settings.ts';\nexport const snapshotsDir = siteSettings;\n",
    'src/site/client/engine.ts': "import { sha256 } from '../../lib/provenance/hash.ts';\nimport { w } from './widget.ts';\nexport const e = [sha256, w];\n",
    'src/components/metric.ts':
      "import { withBase } from '../site/links.ts';\nimport type { e } from '../site/client/engine.ts';\nexport const m = withBase;\nexport type E = typeof e;\n",
  });
});

afterAll(async () => {
  await rm(tree, { recursive: true, force: true });
});

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

describe('the dependency rules', () => {
  it('fail each kind of wrong-way import, and only those', { timeout: 120_000 }, async () => {
    const bin = join(projectRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
    const config = join(projectRoot, '.dependency-cruiser.cjs');
    // Exit code 1 when there are violations: the report is what counts, read from stdout either way.
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'src', 'scripts', 'experiments', '--config', config, '--output-type', 'json'], {
      cwd: tree,
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const violations = (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
    // A package is named by its folder, wherever node_modules sits.
    const found = violations.map(({ from, to, rule }) => `${rule.name}: ${from} -> ${to.replace(/^.*node_modules\/([^/]+)\/.*$/, '$1')}`).sort();
    expect(found).toEqual(
      [
        'client-is-browser-code: src/site/client/widget.ts -> src/site/links.ts',
        'client-no-node: src/site/client/widget.ts -> fs/promises',
        'data-below-training: src/lib/data/reader.ts -> src/lib/harness/runner.ts',
        'library-imports-down-only: src/lib/upward.ts -> src/site/links.ts',
        'nothing-imports-the-site: scripts/tool.ts -> src/site/links.ts',
        'nothing-imports-the-site: src/lib/upward.ts -> src/site/links.ts',
        'no-circular: src/lib/models/a.ts -> src/lib/models/b.ts',
        'no-vitest-outside-tests: src/lib/testing.ts -> vitest',
        'site-without-harness: src/site/staleness.ts -> src/lib/harness/runner.ts',
        'site-settings-unhashed: src/site/base.ts -> src/lib/settings.ts',
        'hashed-without-site-settings: src/lib/models/sized.ts -> src/lib/site-settings.ts',
        'one-home-per-question: experiments/q2/borrowed.ts -> experiments/q3/asr.ts',
        'one-home-per-question: experiments/q1/listed.ts -> experiments/index.ts',
        'experiments-listed-once: experiments/q1/listed.ts -> experiments/index.ts',
        'one-home-per-question: experiments/q3/reads-back.ts -> experiments/q1/linear-attention.ts',
      ].sort(),
    );
  });
});

/** Every file below `folder` whose name ends with `extension`. */
function filesIn(folder: string, extension: string): string[] {
  return readdirSync(join(projectRoot, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(extension))
    .map((name) => join(folder, name));
}

/** The relative imports of a piece of module code, resolved to project-relative paths; `type` marks `import type`. */
function imports(code: string, file: string): Array<{ path: string; type: boolean }> {
  return [...code.matchAll(/^\s*import\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm)].map((match) => ({
    path: relative(projectRoot, resolve(dirname(join(projectRoot, file)), match[2])),
    type: match[1] !== undefined,
  }));
}

describe('the imports of .astro and .mdx files', () => {
  const astroFiles = ['src/components', 'src/pages', 'src/layouts'].flatMap((folder) => filesIn(folder, '.astro'));

  it('ship only src/site/client to the browser, from every component <script>', () => {
    const wrong: string[] = [];
    for (const file of astroFiles) {
      for (const [, script] of readFileSync(file, 'utf8').matchAll(/<script(?![^>]*type="application\/json")[^>]*>([\s\S]*?)<\/script>/g)) {
        for (const { path } of imports(script, file)) if (!path.startsWith('src/site/client/')) wrong.push(`${file} <script> -> ${path}`);
      }
    }
    expect(astroFiles.length).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });

  it('keep the build-time frontmatter off the harness, the hashed settings and (but for types) the browser code', () => {
    const wrong: string[] = [];
    for (const file of astroFiles) {
      const frontmatter = /^---\n([\s\S]*?)\n---/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
      for (const { path, type } of imports(frontmatter, file)) {
        if (path.startsWith('src/lib/harness/') || path === 'src/lib/settings.ts' || (!type && path.startsWith('src/site/client/')))
          wrong.push(`${file} -> ${path}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('let the chapters import components only', () => {
    const wrong = filesIn('content', '.mdx').flatMap((file) =>
      imports(readFileSync(file, 'utf8'), file)
        .filter(({ path }) => !path.startsWith('src/components/'))
        .map(({ path }) => `${file} -> ${path}`),
    );
    expect(wrong).toEqual([]);
  });

  it('see a wrong import when there is one', () => {
    expect(imports("import { a } from '../site/links.ts';\nimport type { B } from './b.ts';", 'src/lib/x.ts')).toEqual([
      { path: 'src/site/links.ts', type: false },
      { path: 'src/lib/b.ts', type: true },
    ]);
  });
});
