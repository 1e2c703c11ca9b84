import 'vitest';

interface OutcomeMatchers<R = unknown> {
  /** Every threshold declared for the profile holds. */
  toPassThresholds(): R;
  /** No gated metric regressed beyond its tolerance against the committed snapshot (check mode). */
  toMatchBaseline(): R;
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must repeat vitest's own declaration `Assertion<T = any>` to merge with it
  interface Assertion<T = any> extends OutcomeMatchers<T> {}
  interface AsymmetricMatchersContaining extends OutcomeMatchers {}
}
