/**
 * The chapters' "try it" sections in headless Chromium, under the site's own Content-Security-Policy (no
 * 'unsafe-eval', nothing from elsewhere):
 *
 * - Q3: nothing heavy loads before the reader asks; clicking "Transcribe" on sample clip 1 runs the published model
 *   in the page and gives the transcript the shown run's snapshot lists for that clip, which is also what the same
 *   weights give in this process (the quoted run's weights, or while it has none, the smoke run's);
 * - Q2: a drawing on the pad and an uploaded image get class probabilities that sum to 1, and a test image of the
 *   fixture gets the probabilities this process computes with the same weights;
 * - with JavaScript off both sections say what they would do, and the sample clips stay playable.
 *
 * A section whose run has no published weights (none in the checkout) is skipped with a message. The transcription
 * speed and the JavaScript the demos load are printed for the record.
 */
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { decodeWav } from '../../src/lib/audio/wav.ts';
import { initBackend } from '../../src/lib/backend/backend.ts';
import { loadFashionMnistFixture } from '../../src/lib/data/fashion-mnist.ts';
import { classifyImages } from '../../src/lib/inference/classify.ts';
import { prepareAudio, transcribeSamples } from '../../src/lib/inference/transcribe.ts';
import { loadPublishedAsr, loadPublishedCnn } from '../../src/lib/models/published-files.ts';
import { policyText } from '../../src/site/csp.ts';
import type { AsrDemo, CnnDemo } from '../../src/site/client/try-demo.ts';
import { noProblems } from './support/browser.ts';
import { describeInChromium, projectRoot } from './support/site.ts';
import type { WatchedPage } from './support/site.ts';

describeInChromium('the "try it" sections in Chromium', { headers: { 'Content-Security-Policy': policyText() } }, (site) => {
  beforeAll(async () => {
    // The in-process side runs the stock cpu kernels, the page's arithmetic.
    await initBackend({ requested: 'cpu', fastKernels: false, log: () => {} });
  });

  async function open(chapter: string, javaScriptEnabled = true): Promise<WatchedPage & { requests: Request[] }> {
    const opened = await site.newPage({ javaScriptEnabled });
    // Recorded from before the page loads, so what the demos fetch later can be told from what the page needed.
    const requests: Request[] = [];
    opened.page.on('requestfinished', (request) => requests.push(request));
    const response = await opened.page.goto(`${site.origin}${site.base}${chapter}/`, { waitUntil: 'load' });
    expect(response?.status(), chapter).toBe(200);
    return { ...opened, requests };
  }

  async function demoConfig<T>(page: Page, selector: string, context: TestContext): Promise<T> {
    const config = page.locator(`${selector} script[data-try-config]`);
    const text = (await config.count()) === 1 ? await config.textContent() : null;
    if (!text) {
      const note = `${selector}: the section's run has no published weights in this checkout, so there is nothing to run`;
      console.warn(`try-it: skipped: ${note}`);
      context.skip(note);
    }
    return JSON.parse(text!) as T;
  }

  /** Bytes of the scripts requested since `from`, by file, and the weights. */
  async function loaded(requests: Request[], from: number): Promise<{ scripts: Record<string, number>; weights: Record<string, number> }> {
    const scripts: Record<string, number> = {};
    const weights: Record<string, number> = {};
    for (const request of requests.slice(from)) {
      const url = new URL(request.url());
      const size = (await request.sizes()).responseBodySize;
      if (url.pathname.endsWith('.js')) scripts[url.pathname.split('/').at(-1)!] = size;
      if (url.pathname.endsWith('.safetensors')) weights[url.pathname] = size;
    }
    return { scripts, weights };
  }

  it('Q3: transcribes a sample clip in the page, as the snapshot lists and as this process does', async (context) => {
    const { page, problems, requests, guarded } = await open('q3');
    const demo = await demoConfig<AsrDemo>(page, '[data-try-asr]', context);
    expect(demo.samples.length).toBeGreaterThan(0);
    const section = page.locator('[data-try-asr]');
    await section.scrollIntoViewIfNeeded();
    // Nothing heavy before the reader asks.
    const before = requests.length;
    expect(requests.some((request) => /\.safetensors$|try-engine|try-asr-model/.test(request.url()))).toBe(false);

    const model = demo.models.find((candidate) => candidate.info.config.decoder === 'attention') ?? demo.models[0];
    await section.locator(`input[data-try-model][value="${model.name}"]`).check();
    const sample = demo.samples[0];
    await section.locator(`button[data-try-sample="${sample.index}"]`).click();
    const output = section.locator(`[data-try-result="${sample.index}"]`);
    await expect.poll(() => output.getAttribute('data-text'), { timeout: 120_000 }).not.toBeNull();
    const text = (await output.getAttribute('data-text'))!;

    // The snapshot's transcript of this clip by this model (the shown run: the quoted one, or smoke as a stand-in).
    expect(text).toBe(sample.transcripts[model.name]);
    // The result says what it is: the transcript beside the clip's target, and which model (run, seed, training) wrote it.
    expect(await output.locator('.try-target').innerText()).toBe(`target: ${sample.target}`);
    const status = await section.locator('[data-try-status]').innerText();
    expect(status).toContain(
      `the ${model.label} decoder of run ${demo.shown.experiment}/${demo.shown.profile}, seed ${model.info.seed}, trained on ${demo.training.short}`,
    );
    expect(demo.training.short).toMatch(/espeak-ng/);
    // And the same weights in this process, from the clip the page fetched.
    const wav = decodeWav(new Uint8Array(await (await fetch(`${site.origin}${sample.url}`)).arrayBuffer()));
    const published = await loadPublishedAsr(`${demo.shown.experiment}/${demo.shown.profile}/${model.name}`, { root: projectRoot });
    const here = transcribeSamples(published.model, published.info, prepareAudio(wav, 22050).samples);
    published.model.dispose();
    expect(text).toBe(here.text);

    const secondsPerSecond = Number(await output.getAttribute('data-seconds-per-second'));
    const used = await loaded(requests, before);
    console.log(
      `try-it: Q3 page (${demo.shown.profile} ${model.name}): ${secondsPerSecond.toFixed(3)} s per second of audio (${sample.seconds.toFixed(2)} s clip, first run); ` +
        `scripts loaded on the click: ${JSON.stringify(used.scripts)}; weights: ${JSON.stringify(used.weights)}`,
    );
    // Again, with the model loaded: the steady speed.
    await section.locator(`button[data-try-sample="${sample.index}"]`).click();
    await expect.poll(async () => Number(await output.getAttribute('data-seconds-per-second')) !== secondsPerSecond, { timeout: 60_000 }).toBe(true);
    console.log(`try-it: Q3 page, second run: ${Number(await output.getAttribute('data-seconds-per-second')).toFixed(3)} s per second of audio`);
    expect(guarded.outsideRequests).toEqual([]);
    expect(noProblems(problems), JSON.stringify(problems)).toBe(true);
  });

  it('Q2: classifies a drawing, an upload and a test image, with probabilities summing to 1', async (context) => {
    const { page, problems, requests, guarded } = await open('q2');
    const demo = await demoConfig<CnnDemo>(page, '[data-try-cnn]', context);
    const section = page.locator('[data-try-cnn]');
    await section.scrollIntoViewIfNeeded();
    const before = requests.length;
    expect(requests.some((request) => /\.safetensors$|try-engine|try-cnn-model/.test(request.url()))).toBe(false);
    const classes = demo.models[0].info.classNames.length;
    const probabilities = () =>
      section.locator('[data-try-probabilities] li').evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.probability)));
    const expectDistribution = async (previous: string | null) => {
      await expect.poll(async () => (await probabilities()).length, { timeout: 120_000 }).toBe(classes);
      if (previous !== null) await expect.poll(async () => JSON.stringify(await probabilities())).not.toBe(previous);
      const values = await probabilities();
      expect(values.every((value) => value >= 0 && value <= 1)).toBe(true);
      expect(Math.abs(values.reduce((sum, value) => sum + value, 0) - 1)).toBeLessThan(1e-5);
      return JSON.stringify(values);
    };

    // A stroke on the pad, then Classify (the first one loads the network).
    const pad = section.locator('canvas[data-try-pad]');
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.2, { steps: 8 });
    await page.mouse.up();
    await section.locator('button[data-try-classify]').click();
    let shown = await expectDistribution(null);
    // The result names the network, its run and seed and what it was trained on; the section lists its classes.
    const status = await section.locator('[data-try-status]').innerText();
    expect(status).toMatch(new RegExp(`network of run ${demo.shown.experiment}/${demo.shown.profile}, seed \\d+, trained on .*Fashion-MNIST`));
    const training = await section.locator('[data-try-training]').innerText();
    for (const name of demo.models[0].info.classNames) expect(training).toContain(name);
    const used = await loaded(requests, before);
    console.log(`try-it: Q2 page: scripts loaded on the click: ${JSON.stringify(used.scripts)}; weights: ${JSON.stringify(used.weights)}`);

    // An uploaded image: classified as soon as it is read.
    await section.locator('input[data-try-image]').setInputFiles(join(projectRoot, 'test/fixtures/cli/fashion-0-rgb-56.png'));
    shown = await expectDistribution(shown);

    // A test image of the fixture: exactly its pixels, so this process must agree.
    if (demo.examples.length > 0) {
      await section.locator('select[data-try-example]').selectOption('0');
      await expectDistribution(shown);
      // The section's initial choice: the max-pooling network.
      const model = demo.models.find((candidate) => candidate.info.config.variant === 'pooled') ?? demo.models[0];
      const published = await loadPublishedCnn(`${demo.shown.experiment}/${demo.shown.profile}/${model.name}`, { root: projectRoot });
      const fixture = await loadFashionMnistFixture();
      const [logProbabilities] = classifyImages(published.model, [fixture.test.images.slice(0, 784)]);
      published.model.dispose();
      const page = await probabilities();
      logProbabilities.forEach((value, i) => expect(Math.abs(Math.exp(value) - page[i]), `class ${i}`).toBeLessThan(1e-5));
    }
    expect(guarded.outsideRequests).toEqual([]);
    expect(noProblems(problems), JSON.stringify(problems)).toBe(true);
  });

  it('says what the sections would do with JavaScript off, and keeps the sample clips playable', async () => {
    for (const [chapter, selector] of [
      ['q3', '[data-try-asr]'],
      ['q2', '[data-try-cnn]'],
    ] as const) {
      const { page, problems } = await open(chapter, false);
      const section = page.locator(selector);
      await expect.poll(() => section.count()).toBe(1);
      const text = await section.innerText();
      expect(text.length, chapter).toBeGreaterThan(80);
      if ((await section.locator('script[data-try-config]').count()) === 0) continue;
      expect(await section.locator('.try-nojs').isVisible(), chapter).toBe(true);
      for (const live of await section.locator('.try-live').all()) expect(await live.isVisible()).toBe(false);
      if (chapter === 'q3') {
        const clips = section.locator('audio[src]');
        expect(await clips.count()).toBeGreaterThan(0);
        const response = await fetch(`${site.origin}${await clips.first().getAttribute('src')}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('audio/wav');
      }
      expect(noProblems(problems), JSON.stringify(problems)).toBe(true);
    }
  });
});
