import { defineConfig } from 'vitest/config';

// End-to-end tests of the built site in headless Chromium (test/e2e). Kept out of `npm test` because they need
// a build (`npm run build`) and a browser (Debian's chromium); run them with `npm run test:e2e`. One file at a
// time in one process: a single browser, and no competition for the two cores while charts hydrate.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
  },
});
