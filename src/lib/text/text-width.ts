/**
 * How wide a line of text is drawn, without a canvas: the chart renderer (Vega) lays out axis labels, titles and
 * legends by text width, and the site draws each chart twice, once in Node at build time and once in the browser, so
 * both must measure alike without measuring the real font. Vega's own estimate (0.8 em per character) is safe but
 * wide: a column of "Damerau-Levenshtein" labels took half of a phone's width. This one adds up the advance widths
 * of DejaVu Sans (Debian's system-ui, wider than the sans-serif fonts of macOS and Windows, so text drawn in them
 * fits too), which matches what Chromium measures on Debian to within 2% (kerning), plus a 3% margin for a
 * slightly wider system font.
 */

/** Advance widths of DejaVu Sans Book, thousandths of an em, for the characters U+0020 to U+007E. */
const ASCII_WIDTHS = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838,
  531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390,
  838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337,
  636, 838,
];

/** The other characters the charts draw (minus, times, dashes, the open-box space and stop marks), same units. */
const OTHER_WIDTHS: Readonly<Record<string, number>> = {
  '−': 838,
  '×': 838,
  '±': 838,
  '–': 500,
  '—': 1000,
  '…': 1000,
  '␣': 635,
  '■': 945,
  ᵀ: 385,
  '·': 318,
  '°': 500,
};

/** Anything else: as wide as a capital, so an unknown glyph is overestimated rather than clipped. */
const DEFAULT_WIDTH = 780;
/** DejaVu Sans Mono: every character 0.602 em. */
const MONOSPACE_WIDTH = 602;
/** Bold runs about 10% wider than the book weight. */
const BOLD_FACTOR = 1.1;
/** Room for a system font a little wider than DejaVu Sans. */
const MARGIN = 1.03;
/** What Vega draws when a mark sets no size. */
const DEFAULT_FONT_SIZE = 11;

export interface TextStyle {
  fontSize?: number;
  font?: string;
  fontWeight?: string | number;
}

/** The width in px of `text` drawn on one line at `style`. */
export function textWidth(text: string, style: TextStyle = {}): number {
  const size = style.fontSize ?? DEFAULT_FONT_SIZE;
  if (/mono/i.test(style.font ?? '')) return (text.length * MONOSPACE_WIDTH * size * MARGIN) / 1000;
  let units = 0;
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    units += code >= 0x20 && code <= 0x7e ? ASCII_WIDTHS[code - 0x20] : (OTHER_WIDTHS[character] ?? DEFAULT_WIDTH);
  }
  const bold = style.fontWeight === 'bold' || Number(style.fontWeight) >= 600;
  return (units * size * (bold ? BOLD_FACTOR : 1) * MARGIN) / 1000;
}

/** A text item as Vega's scenegraph holds it. */
interface VegaTextItem extends TextStyle {
  limit?: number;
}

/**
 * `textMetrics.width` for Vega (vega-scenegraph calls a user-defined one for every label, title and legend entry):
 * the width of `text` in `item`'s style, at most the item's `limit`, beyond which Vega cuts the text.
 */
export function vegaTextWidth(item: VegaTextItem, text: unknown): number {
  const line = text === null || text === undefined ? '' : String(text).trim();
  const width = textWidth(line, { fontSize: item.fontSize ?? DEFAULT_FONT_SIZE, font: item.font, fontWeight: item.fontWeight });
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
}
