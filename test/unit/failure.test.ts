/** How commands report failures (src/lib/failure.ts); the scripts and tools themselves are spawned in test/unit/cli/. */
import { describe, expect, it } from 'vitest';
import { reportFailure, UsageError } from '../../src/lib/failure.ts';
import { readSettings } from '../../src/lib/settings.ts';

function settingsError(env: Record<string, string>): unknown {
  try {
    readSettings(env);
  } catch (error) {
    return error;
  }
  throw new Error('accepted');
}

describe('reportFailure', () => {
  it('prints a usage error as written, exit 2', () => {
    expect(reportFailure('bench', new UsageError("bench: unknown argument '--x'\nusage: ..."), false)).toEqual({
      text: "bench: unknown argument '--x'\nusage: ...",
      code: 2,
    });
  });

  it('gives each bad setting its own line, prefixed, exit 2, and never a stack', () => {
    const error = settingsError({ HW2_WORKERS: '0', TFJS_BACKEND: 'gpu' });
    expect(reportFailure('astro', error, true)).toEqual({
      text: 'astro: HW2_WORKERS is "0"; it accepts a positive integer\nastro: TFJS_BACKEND is "gpu"; it accepts auto, node-gpu, node, cpu',
      code: 2,
    });
  });

  it('prefixes a failed run once, exit 1; the stack follows only in debug', () => {
    const error = new Error('data/x.gz: missing');
    expect(reportFailure('experiment', error, false)).toEqual({ text: 'experiment: data/x.gz: missing', code: 1 });
    expect(reportFailure('experiment', new Error('experiment: already named'), false).text).toBe('experiment: already named');
    const debug = reportFailure('experiment', error, true);
    expect(debug.code).toBe(1);
    expect(debug.text.split('\n')[0]).toBe('experiment: data/x.gz: missing');
    expect(debug.text).toContain(error.stack);
    expect(reportFailure('experiment', 'a string', false)).toEqual({ text: 'experiment: a string', code: 1 });
  });

  it('says that an error of the kind bugs throw has a stack to look at', () => {
    expect(reportFailure('transcribe', new TypeError("cannot read properties of undefined (reading 'x')"), false).text).toBe(
      "transcribe: cannot read properties of undefined (reading 'x') (a bug: HW2_DEBUG=1 prints where)",
    );
  });
});
