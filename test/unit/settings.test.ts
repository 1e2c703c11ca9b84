import { readFileSync } from 'node:fs';
import { availableParallelism, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SettingsError } from '../../src/lib/environment.ts';
import { hashSources } from '../../src/lib/provenance/sources.ts';
import { checkProfile, parseMemorySize, readSettings, settings, settingsTable } from '../../src/lib/settings.ts';
import { readSiteSettings, siteSettings, siteSettingsTable } from '../../src/lib/site-settings.ts';

type Reader = (env: Record<string, string>) => unknown;

/** The error `read` (readSettings by default) throws for `env`, failing the test when it throws none. */
function settingsError(env: Record<string, string>, read: Reader = readSettings): SettingsError {
  try {
    read(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error(`readSettings(${JSON.stringify(env)}) accepted it`);
}

describe('readSettings', () => {
  it('gives every default for an empty environment', () => {
    expect(readSettings({})).toEqual({
      experimentProfile: 'smoke',
      update: false,
      force: false,
      allowDirty: false,
      workers: availableParallelism(),
      maxMemory: totalmem(),
      ci: false,
      debug: false,
      backend: 'auto',
      fastKernels: true,
      python: undefined,
      fashionMnistDir: '/usr/share/datasets/fashion-mnist',
      octmnistNpz: join(homedir(), '.medmnist', 'octmnist.npz'),
      ljspeechDir: undefined,
    });
  });

  it('reads every variable', () => {
    const read = readSettings({
      EXPERIMENT_PROFILE: 'lj-smoke',
      HW2_UPDATE: '1',
      HW2_FORCE: 'true',
      HW2_ALLOW_DIRTY: '1',
      HW2_WORKERS: '3',
      HW2_MAX_MEMORY: '8G',
      CI: 'true',
      HW2_DEBUG: '1',
      TFJS_BACKEND: 'node-gpu',
      TFJS_FAST_KERNELS: '0',
      PYTHON: '/opt/venv/bin/python',
      FASHION_MNIST_DIR: '/data/fashion',
      OCTMNIST_NPZ: '/data/octmnist.npz',
      LJSPEECH_DIR: '/data/LJSpeech-1.1',
      // The site's are not these settings: they are read by readSiteSettings, and ignored here.
      SITE_URL: 'not a url',
    });
    expect(read).toEqual({
      experimentProfile: 'lj-smoke',
      update: true,
      force: true,
      allowDirty: true,
      workers: 3,
      maxMemory: 8 * 1024 ** 3,
      ci: true,
      debug: true,
      backend: 'node-gpu',
      fastKernels: false,
      python: '/opt/venv/bin/python',
      fashionMnistDir: '/data/fashion',
      octmnistNpz: '/data/octmnist.npz',
      ljspeechDir: '/data/LJSpeech-1.1',
    });
  });

  it('ignores variables that are not settings', () => {
    expect(readSettings({ PATH: '/usr/bin', HOME: '/root', OUT: 'x' })).toEqual(readSettings({}));
  });
});

describe('readSiteSettings', () => {
  it('gives every default for an empty environment', () => {
    expect(readSiteSettings({})).toEqual({
      snapshotsDir: 'snapshots',
      chaptersDir: 'content',
      siteBase: '/',
      siteUrl: undefined,
      astroCacheDir: './node_modules/.astro',
      siteDist: 'dist',
      chromiumPath: '/usr/bin/chromium',
      ci: false,
    });
  });

  it('reads every variable, and ignores the hashed settings', () => {
    expect(
      readSiteSettings({
        SNAPSHOTS_DIR: ' test/fixtures/snapshots/ ',
        CHAPTERS_DIR: 'test/fixtures/content//',
        SITE_BASE: 'hw2-report',
        SITE_URL: 'https://example.github.io',
        ASTRO_CACHE_DIR: '/tmp/astro-cache',
        SITE_DIST: '.scratch/dist',
        CHROMIUM_PATH: '/usr/bin/google-chrome',
        CI: 'true',
        HW2_WORKERS: 'not a number',
      }),
    ).toEqual({
      snapshotsDir: 'test/fixtures/snapshots',
      chaptersDir: 'test/fixtures/content',
      siteBase: '/hw2-report/',
      siteUrl: 'https://example.github.io',
      astroCacheDir: '/tmp/astro-cache',
      siteDist: '.scratch/dist',
      chromiumPath: '/usr/bin/google-chrome',
      ci: true,
    });
  });

  it('reads process.env once and again when a variable changed', () => {
    vi.stubEnv('SITE_BASE', 'a');
    const first = siteSettings();
    expect(first.siteBase).toBe('/a/');
    expect(siteSettings()).toBe(first);
    vi.stubEnv('SITE_BASE', 'b');
    expect(siteSettings().siteBase).toBe('/b/');
    vi.unstubAllEnvs();
  });
});

describe('hashed and unhashed settings', () => {
  it('no experiment imports the site settings, and the hashed settings hold no site variable', async () => {
    // Every experiment's sources, as its snapshots hash them (experiments/index.ts imports them all).
    const sources = await hashSources(['experiments/index.ts'], process.cwd());
    expect(Object.keys(sources)).toContain('src/lib/settings.ts');
    expect(Object.keys(sources)).not.toContain('src/lib/site-settings.ts');
    const site = siteSettingsTable.map((setting) => setting.name);
    expect(site).toEqual(['SNAPSHOTS_DIR', 'CHAPTERS_DIR', 'SITE_BASE', 'SITE_URL', 'ASTRO_CACHE_DIR', 'SITE_DIST', 'CHROMIUM_PATH']);
    expect(settingsTable.map((setting) => setting.name).filter((name) => site.includes(name))).toEqual([]);
  });

  it('CI means the same to both', () => {
    for (const value of ['1', 'true', 'yes', 'false', '0', 'FALSE', ''])
      expect(readSiteSettings({ CI: value }).ci, `CI=${JSON.stringify(value)}`).toBe(readSettings({ CI: value }).ci);
  });
});

describe('booleans', () => {
  const flags = [
    ['HW2_UPDATE', 'update'],
    ['HW2_FORCE', 'force'],
    ['HW2_ALLOW_DIRTY', 'allowDirty'],
    ['HW2_DEBUG', 'debug'],
    ['TFJS_FAST_KERNELS', 'fastKernels'],
  ] as const;

  it.each(flags)('%s accepts 0, 1, true, false', (name, key) => {
    expect(readSettings({ [name]: '1' })[key]).toBe(true);
    expect(readSettings({ [name]: 'true' })[key]).toBe(true);
    expect(readSettings({ [name]: '0' })[key]).toBe(false);
    expect(readSettings({ [name]: 'false' })[key]).toBe(false);
  });

  it.each(flags)('%s rejects anything else, naming the variable, the value and what it accepts', (name) => {
    for (const value of ['yes', 'no', 'on', 'TRUE', 'True', '2', ' 1', '']) {
      const error = settingsError({ [name]: value });
      expect(error.problems).toEqual([{ name, value, message: expect.stringContaining(name) }]);
      expect(error.message).toContain(`${name} is`);
      expect(error.message).toContain(JSON.stringify(value));
      expect(error.message).toContain('it accepts 0, 1, true, false');
    }
  });

  it('defaults: update, force and allow-dirty off, fast kernels on', () => {
    expect(readSettings({})).toMatchObject({ update: false, force: false, allowDirty: false, fastKernels: true });
  });
});

describe('paths', () => {
  const paths: [string, Reader][] = [
    ['FASHION_MNIST_DIR', readSettings],
    ['OCTMNIST_NPZ', readSettings],
    ['LJSPEECH_DIR', readSettings],
    ['PYTHON', readSettings],
    ['SNAPSHOTS_DIR', readSiteSettings],
    ['CHAPTERS_DIR', readSiteSettings],
    ['SITE_BASE', readSiteSettings],
    ['ASTRO_CACHE_DIR', readSiteSettings],
    ['SITE_DIST', readSiteSettings],
    ['CHROMIUM_PATH', readSiteSettings],
  ];

  it.each(paths)('%s set but empty is an error, not the default', (name, read) => {
    for (const value of ['', '  ']) {
      const error = settingsError({ [name]: value }, read);
      expect(error.problems.map((problem) => problem.name)).toEqual([name]);
      expect(error.message).toContain(`${name} is empty (${JSON.stringify(value)}); unset it for the default`);
    }
  });

  it('keeps data paths as given', () => {
    expect(readSettings({ FASHION_MNIST_DIR: 'relative/dir/' }).fashionMnistDir).toBe('relative/dir/');
  });

  it('trims the site folders and drops their trailing slashes, as the site always did', () => {
    expect(readSiteSettings({ SNAPSHOTS_DIR: ' fixtures/snapshots/// ' }).snapshotsDir).toBe('fixtures/snapshots');
  });

  it('normalizes SITE_BASE to /, or /<path>/', () => {
    expect(readSiteSettings({ SITE_BASE: '/' }).siteBase).toBe('/');
    for (const value of ['hw2-report', '/hw2-report', '/hw2-report/', ' hw2-report/ '])
      expect(readSiteSettings({ SITE_BASE: value }).siteBase).toBe('/hw2-report/');
  });

  it('takes only an absolute http(s) SITE_URL', () => {
    expect(readSiteSettings({ SITE_URL: 'http://localhost:4321/' }).siteUrl).toBe('http://localhost:4321/');
    for (const value of ['example.com', 'ftp://example.com', '']) {
      expect(settingsError({ SITE_URL: value }, readSiteSettings).message).toMatch(/SITE_URL is .*; it accepts an absolute http\(s\):\/\/ URL/);
    }
  });
});

describe('CI', () => {
  it.each(['true', '1', 'yes', 'TRUE', 'github-actions'])('CI=%s is CI', (value) => {
    expect(readSettings({ CI: value }).ci).toBe(true);
  });

  it.each(['false', '0', 'FALSE', 'False', ''])('CI=%j is not CI', (value) => {
    expect(readSettings({ CI: value }).ci).toBe(false);
  });

  it('unset is not CI', () => {
    expect(readSettings({}).ci).toBe(false);
  });
});

describe('HW2_WORKERS', () => {
  it('defaults to the number of cores', () => {
    expect(readSettings({}).workers).toBe(availableParallelism());
  });

  it('takes a positive integer', () => {
    expect(readSettings({ HW2_WORKERS: '1' }).workers).toBe(1);
    expect(readSettings({ HW2_WORKERS: '16' }).workers).toBe(16);
  });

  it.each(['0', '-1', '1.5', '2.0', 'two', '', ' 2', '1e3', '99999999999999999999'])('rejects %j', (value) => {
    expect(settingsError({ HW2_WORKERS: value }).message).toContain(`HW2_WORKERS is ${value.trim() ? JSON.stringify(value) : 'empty'}`);
    expect(settingsError({ HW2_WORKERS: value }).message).toContain('it accepts a positive integer');
  });
});

describe('HW2_MAX_MEMORY', () => {
  it('defaults to the machine memory', () => {
    expect(readSettings({}).maxMemory).toBe(totalmem());
  });

  it.each([
    ['8G', 8 * 1024 ** 3],
    ['8GB', 8 * 1024 ** 3],
    ['8GiB', 8 * 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['512M', 512 * 1024 ** 2],
    ['24 GiB', 24 * 1024 ** 3],
    ['2T', 2 * 1024 ** 4],
    ['640K', 640 * 1024],
    ['123456', 123456],
    ['100B', 100],
  ])('reads %j as %d bytes', (value, bytes) => {
    expect(parseMemorySize(value)).toBe(bytes);
    expect(readSettings({ HW2_MAX_MEMORY: value }).maxMemory).toBe(bytes);
  });

  it.each(['', ' ', '0', '0G', '-8G', '8X', 'eight', '8 G B', 'G8', '1e9', '0.1B'])('rejects %j with one clear line', (value) => {
    const message = settingsError({ HW2_MAX_MEMORY: value }).message;
    expect(message).toContain(`HW2_MAX_MEMORY is ${value.trim() ? JSON.stringify(value) : 'empty'}`);
    expect(message).toContain('it accepts a size in bytes, or with a unit K, M, G or T');
  });
});

describe('TFJS_BACKEND and EXPERIMENT_PROFILE', () => {
  it('takes the four backends and nothing else', () => {
    for (const name of ['auto', 'node-gpu', 'node', 'cpu']) expect(readSettings({ TFJS_BACKEND: name }).backend).toBe(name);
    expect(settingsError({ TFJS_BACKEND: 'gpu' }).message).toContain('TFJS_BACKEND is "gpu"; it accepts auto, node-gpu, node, cpu');
    expect(settingsError({ TFJS_BACKEND: '' }).message).toContain('TFJS_BACKEND is empty');
  });

  it('takes a profile name, not a path or an empty string', () => {
    expect(readSettings({ EXPERIMENT_PROFILE: 'lj-subset' }).experimentProfile).toBe('lj-subset');
    for (const value of ['', '../full', 'full ', 'a/b'])
      expect(settingsError({ EXPERIMENT_PROFILE: value }).problems.map((problem) => problem.name)).toEqual(['EXPERIMENT_PROFILE']);
  });
});

describe('SettingsError', () => {
  it('lists every problem at once, in the order of the table', () => {
    const error = settingsError({ TFJS_FAST_KERNELS: 'on', HW2_UPDATE: 'yes', FASHION_MNIST_DIR: '', HW2_WORKERS: '0', CI: 'true' });
    expect(error.problems.map((problem) => problem.name)).toEqual(['HW2_UPDATE', 'HW2_WORKERS', 'TFJS_FAST_KERNELS', 'FASHION_MNIST_DIR']);
    expect(error.message.split('\n')).toEqual([
      '4 environment settings are invalid:',
      '  HW2_UPDATE is "yes"; it accepts 0, 1, true, false',
      '  HW2_WORKERS is "0"; it accepts a positive integer',
      '  TFJS_FAST_KERNELS is "on"; it accepts 0, 1, true, false',
      '  FASHION_MNIST_DIR is empty (""); unset it for the default; it accepts a folder path',
    ]);
  });

  it('says so in the singular for one problem', () => {
    expect(settingsError({ HW2_FORCE: 'y' }).message).toBe('an environment setting is invalid:\n  HW2_FORCE is "y"; it accepts 0, 1, true, false');
  });
});

describe('settings()', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads process.env once and reuses the result', () => {
    vi.stubEnv('HW2_WORKERS', '5');
    const first = settings();
    expect(first.workers).toBe(5);
    expect(settings()).toBe(first);
  });

  it('reads again when a variable changed, so stubbed environments are seen', () => {
    vi.stubEnv('HW2_WORKERS', '5');
    const first = settings();
    vi.stubEnv('HW2_WORKERS', '6');
    expect(settings().workers).toBe(6);
    expect(settings()).not.toBe(first);
  });

  it('throws the SettingsError for a bad process environment', () => {
    vi.stubEnv('HW2_UPDATE', 'yes');
    expect(() => settings()).toThrow(SettingsError);
  });
});

describe('checkProfile', () => {
  const declared = {
    'q1-linear-attention': ['smoke', 'full'],
    'q2-cnn': ['smoke', 'full', 'octmnist'],
    'q3-ljspeech': ['lj-smoke', 'lj-subset'],
  };

  it('accepts a profile every experiment declares', () => {
    expect(checkProfile('smoke', { a: ['smoke'], b: ['smoke', 'full'] })).toEqual({ missing: [] });
  });

  it('lists the experiments that lack a known profile', () => {
    expect(checkProfile('full', declared)).toEqual({ missing: ['q3-ljspeech'] });
    expect(checkProfile('octmnist', declared)).toEqual({ missing: ['q1-linear-attention', 'q3-ljspeech'] });
  });

  it('calls a profile no experiment declares unknown and names those that exist', () => {
    expect(checkProfile('fulll', declared)).toEqual({
      unknown: 'EXPERIMENT_PROFILE=fulll is not a profile of any experiment; profiles: full, lj-smoke, lj-subset, octmnist, smoke',
      missing: ['q1-linear-attention', 'q2-cnn', 'q3-ljspeech'],
    });
  });
});

describe('the README', () => {
  // The hashed settings, then the site's.
  const allSettings = [...settingsTable, ...siteSettingsTable];

  /** The rows of the table under `## Settings`: each row's cells, backticks kept. */
  function readmeSettingsRows(): string[][] {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split(/^## /m).find((part) => part.startsWith('Settings\n'));
    if (!section) throw new Error('README.md has no "## Settings" section');
    return section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) =>
        line
          .slice(1, -1)
          .split(' | ')
          .map((cell) => cell.trim()),
      );
  }

  it('lists exactly the variables of the settings table, in its order', () => {
    expect(readmeSettingsRows().map(([name]) => name)).toEqual(allSettings.map((setting) => `\`${setting.name}\``));
  });

  it('states the same accepted values and defaults', () => {
    expect(readmeSettingsRows().map(([name, accepts, fallback]) => ({ name, accepts, default: fallback }))).toEqual(
      allSettings.map((setting) => ({ name: `\`${setting.name}\``, accepts: setting.accepts, default: setting.default })),
    );
  });
});
