/**
 * The recordings on the Question 3 page (issue 11, item 3): every `<audio>` says which bytes it plays
 * (`data-sha256`), and its source loads from the site itself (HTTP 200, audio/wav) with exactly those bytes; it
 * plays in the browser; the transcript tables hold a player beside each row whose clip the site has; and print
 * hides the players. The bytes themselves are tied to the snapshots by test/unit/site/sample-audio.test.ts.
 */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { policyText } from '../../src/site/csp.ts';
import { describeInChromium } from './support/site.ts';

interface Player {
  src: string;
  sha256: string | null;
  clip: string | null;
  label: string | null;
  inTranscripts: boolean;
}

describeInChromium('the recordings on the Q3 page', { headers: { 'Content-Security-Policy': policyText() } }, (site) => {
  const open = (javaScriptEnabled = true) => site.open(`${site.base}q3/`, { javaScriptEnabled });

  function players(page: Page): Promise<Player[]> {
    return page.$$eval('audio', (elements) =>
      elements.map((audio) => ({
        // The resolved address, whether given as src or as a <source>.
        src: (audio as HTMLAudioElement).src || (audio.querySelector('source') as HTMLSourceElement | null)?.src || '',
        sha256: audio.getAttribute('data-sha256'),
        clip: audio.getAttribute('data-clip'),
        label: audio.getAttribute('aria-label'),
        inTranscripts: audio.closest('table.transcripts') !== null,
      })),
    );
  }

  it('serves every player the bytes its data-sha256 claims, as audio/wav from the site itself', async () => {
    const { page, guarded } = await open(false);
    const found = await players(page);
    expect(found.length, 'players on the page').toBeGreaterThan(0);
    const checked = new Map<string, string>();
    for (const player of found) {
      expect(player.sha256, `${player.src}: data-sha256`).toMatch(/^[0-9a-f]{64}$/);
      expect(player.label, `${player.src}: accessible name`).toBeTruthy();
      expect(player.src.startsWith(`${site.origin}/`), `${player.src}: from the site itself`).toBe(true);
      const known = checked.get(player.src);
      if (known === undefined) {
        const response = await guarded.context.request.get(player.src);
        expect(response.status(), player.src).toBe(200);
        expect(response.headers()['content-type'], player.src).toBe('audio/wav');
        const body = await response.body();
        expect(body.subarray(0, 4).toString('latin1'), `${player.src}: a RIFF file`).toBe('RIFF');
        checked.set(player.src, createHash('sha256').update(body).digest('hex'));
      }
      // A clip shown twice (beside each decoder's transcript, and in "try it") claims the same bytes each time.
      expect(checked.get(player.src), `${player.src}: sha256 of the bytes served`).toBe(player.sha256);
    }
    expect(guarded.outsideRequests).toEqual([]);
    console.log(`Q3 page: ${found.length} players, ${checked.size} distinct recordings, all served as claimed`);
  });

  it('puts a player beside the transcripts whose clip the site has, and plays it under the CSP', async () => {
    const { page, problems } = await open();
    const inTables = (await players(page)).filter((player) => player.inTranscripts);
    expect(inTables.length, 'players in the transcript tables').toBeGreaterThan(0);
    for (const player of inTables) expect(player.clip, `${player.src}: data-clip`).toBeTruthy();
    // One row's player per clip id and run at most: the same address always carries the same clip.
    const clipBySource = new Map<string, string>();
    for (const player of inTables) {
      const previous = clipBySource.get(player.src);
      if (previous) expect(player.clip, player.src).toBe(previous);
      clipBySource.set(player.src, player.clip!);
    }
    const first = page.locator('table.transcripts audio').first();
    await first.scrollIntoViewIfNeeded();
    const duration = await first.evaluate(
      (audio: HTMLAudioElement) =>
        new Promise<number>((resolvePromise, reject) => {
          audio.addEventListener('loadedmetadata', () => resolvePromise(audio.duration), { once: true });
          audio.addEventListener('error', () => reject(new Error(`cannot load ${audio.currentSrc}: media error ${audio.error?.code}`)), { once: true });
          audio.preload = 'metadata';
          audio.load();
        }),
    );
    expect(duration).toBeGreaterThan(0.3);
    const label = (await first.getAttribute('aria-label')) ?? '';
    const labelled = Number(/, ([\d.]+) s$/.exec(label)?.[1]);
    expect(Math.abs(duration - labelled), `${label}: duration ${duration} s`).toBeLessThan(0.06);
    expect(problems.cspViolations).toEqual([]);
    // Chromium cancels a media download once it has what it needs (here the header): not a failure.
    expect(problems.failedRequests.filter((failure) => !/\.wav: net::ERR_ABORTED$/.test(failure))).toEqual([]);
  });

  it('hides the players in print', async () => {
    const { page } = await open(false);
    await page.emulateMedia({ media: 'print' });
    const shown = await page.$$eval('table.transcripts .transcript-audio', (cells) => cells.filter((cell) => getComputedStyle(cell).display !== 'none').length);
    expect(shown).toBe(0);
  });
});
