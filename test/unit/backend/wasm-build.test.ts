/**
 * The committed kernels.wasm is what wasm/build.sh makes of kernels.c, so an edit of the C source cannot
 * ship with a stale binary. Needs the compiler the binary was built with (Debian 12's clang 14.0.6 and lld:
 * apt-get install clang lld); other clang versions emit different bytes, so elsewhere the check is skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const wasmDir = fileURLToPath(new URL('../../../src/lib/backend/fast-kernels/wasm/', import.meta.url));
const builtWith = 'Debian clang version 14.0.6';

function clangVersion(): string | undefined {
  const probe = spawnSync('clang', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.split('\n')[0].trim() : undefined;
}

const version = clangVersion();

describe('fast kernels: wasm build', () => {
  it.skipIf(version !== builtWith)(`kernels.wasm is the build of kernels.c (${builtWith})`, () => {
    const folder = mkdtempSync(join(tmpdir(), 'kernels-wasm-'));
    try {
      const out = join(folder, 'kernels.wasm');
      execFileSync('bash', [join(wasmDir, 'build.sh')], { env: { ...process.env, OUT: out }, stdio: 'pipe' });
      const rebuilt = readFileSync(out);
      const committed = readFileSync(join(wasmDir, 'kernels.wasm'));
      expect(rebuilt.equals(committed), 'kernels.wasm is stale: run src/lib/backend/fast-kernels/wasm/build.sh').toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
