/**
 * The Q2 and Q3 chapters in headless Chromium, beyond what site.test.ts checks on every page: transcript
 * differences are marked in the HTML itself (JavaScript off), and a chart's legend selects runs once hydrated,
 * under the strict CSP (Vega's expression interpreter evaluates the selection test, no `eval`).
 */
import type { Locator } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInChromium, strictPolicy } from './support/site.ts';

describeInChromium('the Q2 and Q3 chapters in Chromium', { headers: { 'Content-Security-Policy': strictPolicy } }, (site) => {
  const open = (chapter: string, javaScriptEnabled: boolean) => site.open(`${site.base}${chapter}/`, { javaScriptEnabled });

  it('marks missed and spurious characters of every transcript with <del> and <ins>, with JavaScript off', async () => {
    const { page } = await open('q3', false);
    const tables = await page.$$eval('table.transcripts', (elements) =>
      elements.map((table) => ({
        rows: table.querySelectorAll('tbody tr').length,
        // Each row: the target cell minus its <del>s and the prediction cell minus its <ins>s must be the same text
        // (what the two share), and the marks must not be empty.
        rows_consistent: Array.from(table.querySelectorAll('tbody tr')).every((row) => {
          const cells = row.querySelectorAll('td.transcript');
          if (cells.length !== 2) return false;
          const unmarked = (cell: Element, mark: string) => {
            const copy = cell.cloneNode(true) as Element;
            copy.querySelectorAll(mark).forEach((element) => element.remove());
            copy.querySelectorAll('.transcript-empty').forEach((element) => element.remove());
            return copy.textContent ?? '';
          };
          const marks = Array.from(row.querySelectorAll('td.transcript del, td.transcript ins'));
          return unmarked(cells[0], 'del') === unmarked(cells[1], 'ins') && marks.every((mark) => (mark.textContent ?? '').length > 0);
        }),
        marks: table.querySelectorAll('td.transcript del, td.transcript ins').length,
      })),
    );
    // Synthetic speech and real recordings.
    expect(tables.length).toBeGreaterThanOrEqual(2);
    for (const table of tables) {
      expect(table.rows).toBeGreaterThan(0);
      expect(table.rows_consistent).toBe(true);
    }
    // Greedy transcripts of small models are never all perfect.
    expect(tables.reduce((sum, table) => sum + table.marks, 0)).toBeGreaterThan(0);
  });

  it('selects runs from the legend of the Q2 training curves under the strict CSP', async () => {
    const { page, problems } = await open('q2', true);
    const figure = page.locator('figure#fig-curves');
    await figure.scrollIntoViewIfNeeded();
    await expect.poll(() => figure.getAttribute('data-hydrated'), { timeout: 60_000 }).toBe('true');
    const opacities = (lines: Locator) => lines.evaluateAll((paths) => paths.map((path) => Number(path.getAttribute('opacity') ?? '1')));
    const lines = figure.locator('.chart-live svg g.mark-line path');
    const before = await opacities(lines);
    expect(before.length).toBeGreaterThan(1);
    expect(before.every((opacity) => opacity === 1)).toBe(true);

    // The first learning rate of the colour legend.
    const entry = figure.locator('.chart-live svg g.role-legend').first().locator('g.role-legend-label text').first();
    await entry.scrollIntoViewIfNeeded();
    const box = await entry.boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
    await expect.poll(async () => (await opacities(lines)).filter((opacity) => opacity < 1).length).toBeGreaterThan(0);
    const after = await opacities(lines);
    // Some runs stay, the others fade: one rate of several is selected.
    expect(after.filter((opacity) => opacity === 1).length).toBeGreaterThan(0);
    expect(after.filter((opacity) => opacity === 1).length).toBeLessThan(after.length);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], failedRequests: [], cspViolations: [] });
  });
});
