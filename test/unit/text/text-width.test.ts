import { describe, expect, it } from 'vitest';
import { textWidth, vegaTextWidth } from '../../../src/lib/text/text-width.ts';

describe('textWidth', () => {
  it("adds up DejaVu Sans's advance widths (Chromium on Debian measures Damerau-Levenshtein at 11 px as 121.7 px), plus 3%", () => {
    expect(textWidth('Damerau-Levenshtein', { fontSize: 11 })).toBeCloseTo(121.9 * 1.03, 0);
    expect(textWidth('0.001', { fontSize: 12 })).toBeCloseTo(34.3 * 1.03, 0);
    // Narrower than Vega's own estimate of 0.8 em a character, which gave a label column half a phone's width.
    expect(textWidth('Damerau-Levenshtein', { fontSize: 11 })).toBeLessThan(0.8 * 19 * 11 * 0.8);
  });

  it('scales with the size, widens bold text, and counts monospace and unknown characters', () => {
    expect(textWidth('abc', { fontSize: 22 })).toBeCloseTo(2 * textWidth('abc', { fontSize: 11 }), 10);
    expect(textWidth('abc', { fontSize: 11, fontWeight: 'bold' })).toBeGreaterThan(textWidth('abc', { fontSize: 11 }));
    expect(textWidth('iii', { fontSize: 10, font: 'monospace' })).toBeCloseTo(3 * 6.02 * 1.03, 10);
    expect(textWidth('ж', { fontSize: 10 })).toBeGreaterThan(textWidth('i', { fontSize: 10 }));
    expect(textWidth('', { fontSize: 10 })).toBe(0);
  });
});

describe('vegaTextWidth', () => {
  it("measures a Vega text item's text in its style, at most its limit, 11 px when it sets no size", () => {
    expect(vegaTextWidth({}, 'cosine')).toBeCloseTo(textWidth('cosine', { fontSize: 11 }), 10);
    expect(vegaTextWidth({ fontSize: 12, limit: 20 }, 'a long axis title')).toBe(20);
    expect(vegaTextWidth({ fontSize: 12 }, null)).toBe(0);
    expect(vegaTextWidth({ fontSize: 12 }, ' padded ')).toBeCloseTo(textWidth('padded', { fontSize: 12 }), 10);
  });
});
