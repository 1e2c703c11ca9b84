/**
 * How numbers from snapshots read in prose, tables and badges. One formatter for the whole site, so a value
 * printed twice reads the same twice. Output is plain Unicode text (true minus sign, `× 10⁻¹⁶`), which works
 * in HTML, SVG titles and tooltips alike.
 */
import { z } from 'zod';

const formatStyles = ['auto', 'fixed', 'percent', 'scientific', 'integer'] as const;

export const formatOptionsSchema = z
  .object({
    /**
     * `auto`: integers in full, other values to `digits` significant digits, scientific below 1e-3 or from 1e6.
     * `fixed`: `digits` decimals. `percent`: times 100, `digits` decimals, then `%`.
     * `scientific`: `digits` significant digits. `integer`: rounded, with thousands separators.
     */
    style: z.enum(formatStyles).default('auto'),
    digits: z.number().int().min(0).max(15).optional(),
    /** Show `+` on positive values (for changes). */
    signed: z.boolean().default(false),
    /** Appended after a no-break space, e.g. `s`, `FLOPs`. */
    unit: z.string().optional(),
  })
  .strict();

export type FormatOptions = z.input<typeof formatOptionsSchema>;

const minus = '\u2212';
const superscripts: Record<string, string> = {
  '-': '\u207b',
  '0': '\u2070',
  '1': '\u00b9',
  '2': '\u00b2',
  '3': '\u00b3',
  '4': '\u2074',
  '5': '\u2075',
  '6': '\u2076',
  '7': '\u2077',
  '8': '\u2078',
  '9': '\u2079',
};

/**
 * `±` and the spread it introduces stay together (a no-break space), so a number that must wrap, in a narrow table
 * cell on paper, breaks as `1.048 / ± 0.020 / (n = 3)` and never leaves a `±` at a line's end.
 */
const plusMinusSign = '±\u00a0';

/** `value` as text; with `plusMinus`, `value ± plusMinus` sharing one style and one unit. */
export function formatNumber(value: number, options: FormatOptions = {}, plusMinus?: number): string {
  const parsed = formatOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new Error(
      `format options ${JSON.stringify(options)} are not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const { style, digits, signed, unit } = parsed.data;
  if (!Number.isFinite(value)) throw new Error(`cannot format ${value}: not a finite number`);
  if (plusMinus !== undefined && !(Number.isFinite(plusMinus) && plusMinus >= 0)) {
    throw new Error(`cannot format ${value} ± ${plusMinus}: the ± part must be a finite number ≥ 0`);
  }

  const sign = signed && value > 0 ? '+' : '';
  let text: string;
  let suffix = '';
  if (style === 'percent') {
    const decimals = digits ?? 1;
    text = sign + fixed(value * 100, decimals);
    if (plusMinus !== undefined) text += ` ${plusMinusSign}${fixed(plusMinus * 100, decimals)}`;
    suffix = '%';
  } else {
    const one = (x: number) => formatOne(x, style, digits);
    text = sign + one(value);
    if (plusMinus !== undefined) text += ` ${plusMinusSign}${one(plusMinus)}`;
  }
  if (unit) suffix += `\u00a0${unit}`;
  return text + suffix;
}

function formatOne(value: number, style: Exclude<(typeof formatStyles)[number], 'percent'>, digits: number | undefined): string {
  switch (style) {
    case 'integer':
      return grouped(Math.round(value));
    case 'fixed':
      return fixed(value, digits ?? 2);
    case 'scientific':
      return scientific(value, digits ?? 2);
    case 'auto': {
      const significant = digits ?? 3;
      if (Number.isInteger(value)) return grouped(value);
      const magnitude = Math.abs(value);
      if (magnitude < 1e-3 || magnitude >= 1e6) return scientific(value, significant, true);
      // A value with more integer digits than `significant` is rounded to an integer (390, not toPrecision's 3.9e+2).
      if (magnitude >= 10 ** significant) return grouped(Math.round(value));
      // toPrecision keeps trailing zeros that carry meaning (0.500 at three digits); below 10^significant it never
      // uses an exponent.
      return withMinus(value.toPrecision(significant));
    }
  }
}

function fixed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  // -0.00 reads as a negative number that is not there.
  const unsigned = Number(text) === 0 ? text.replace(/^-/, '') : text;
  // One thousands style everywhere: 1,230 images/s, as integers print.
  return withMinus(unsigned.replace(/^(-?)(\d{4,})/, (_whole, sign: string, digits: string) => sign + digits.replace(/\B(?=(\d{3})+$)/g, ',')));
}

function grouped(value: number): string {
  return withMinus(new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(value));
}

/** `trim`: drop trailing zeros of the mantissa, and a mantissa of exactly 1 (`10⁻⁹` rather than `1.0 × 10⁻⁹`). */
function scientific(value: number, significant: number, trim = false): string {
  if (value === 0) return '0';
  const [digits, exponent] = value.toExponential(Math.max(significant - 1, 0)).split('e');
  let mantissa = digits;
  if (trim && mantissa.includes('.')) mantissa = mantissa.replace(/\.?0+$/, '');
  const power = Number(exponent);
  if (power === 0) return withMinus(mantissa);
  if (trim && (mantissa === '1' || mantissa === '-1')) return `${mantissa === '-1' ? minus : ''}10${raise(power)}`;
  return `${withMinus(mantissa)}\u00a0×\u00a010${raise(power)}`;
}

function raise(power: number): string {
  return String(power)
    .split('')
    .map((char) => superscripts[char])
    .join('');
}

function withMinus(text: string): string {
  return text.replace(/^-/, minus);
}

/** The part of a seed aggregate that a number on the page shows (snapshots.ts reads the full record). */
export interface Spread {
  n: number;
  mean: number;
  sd: number | null;
}

/**
 * How many decimals a value shows beside a spread of `width` (an sd, a range, an interval's length): two
 * significant digits of the width, so no digit is printed that the spread swamps, and never more than
 * `maxSignificant` significant digits of `value` (prose rule: at most 4). The one rule for every number with a
 * spread on the site (`formatSpread`, `<Comparison>`, `<Interval>`, `<Spread>`, the claims' evidence).
 */
export function spreadDecimals(width: number, value: number, maxSignificant = 4): number {
  const fromWidth = width > 0 && Number.isFinite(width) ? 1 - Math.floor(Math.log10(width)) : 0;
  return capDecimals(value, fromWidth, maxSignificant);
}

/** `decimals`, or fewer, so that `value` shows at most `maxSignificant` significant digits (never below 0). */
export function capDecimals(value: number, decimals: number, maxSignificant = 4): number {
  const magnitude = Math.abs(value);
  const integerDigits = magnitude >= 1 ? Math.floor(Math.log10(magnitude)) + 1 : 0;
  // Below 1, leading zeros after the point are not significant: 0.0123 has its first significant digit at decimal 2.
  const leadingZeros = magnitude > 0 && magnitude < 1 ? -Math.floor(Math.log10(magnitude)) - 1 : 0;
  return Math.max(0, Math.min(decimals, maxSignificant - integerDigits + leadingZeros));
}

/**
 * A value with as few significant digits (up to 4) as it needs: 0.01, not 0.0100; 0.002, not 0.00200. For numbers
 * that are what they are (a configured learning rate, a choice every seed made), not measurements with a spread.
 */
export function formatExact(value: number, options: Pick<FormatOptions, 'signed' | 'unit'> = {}): string {
  if (Number.isInteger(value)) return formatNumber(value, { style: 'integer', ...options });
  const digits = [1, 2, 3, 4].find((count) => Number(value.toPrecision(count)) === Number(value.toPrecision(4)))!;
  return formatNumber(value, { style: 'auto', digits, ...options });
}

/**
 * A result over seeds: `mean ± sd (n = 3)` when there is more than one seed, else the one value. Every number
 * that may come from several seeds goes through here, so a spread reads the same everywhere. With an sd, the
 * decimals follow it (`spreadDecimals`) in the fixed and percent styles, whatever `digits` asked for.
 */
export function formatSpread(spread: Spread, options: FormatOptions = {}): string {
  if (spread.n > 1 && spread.sd !== null) {
    return `${formatNumber(spread.mean, withSpreadDecimals(options, spread.sd, spread.mean), spread.sd)} (n\u00a0=\u00a0${spread.n})`;
  }
  return formatNumber(spread.mean, options);
}

/** `options` with its decimals set from a spread of `width` around `value`, for the fixed and percent styles. */
export function withSpreadDecimals(options: FormatOptions, width: number, value: number): FormatOptions {
  const style = options.style ?? 'auto';
  if (width <= 0) return options;
  if (style === 'percent') return { ...options, digits: Math.max(0, spreadDecimals(width * 100, value * 100)) };
  if (style === 'fixed' || style === 'auto') return { ...options, style: 'fixed', digits: spreadDecimals(width, value) };
  return options;
}

/** `3 epochs`, `1 epoch`: a count with its noun, so prose never needs `epoch(s)`. */
export function formatCount(count: number, noun: string, plural = `${noun}s`): string {
  return `${formatNumber(count, { style: 'auto' })}\u00a0${count === 1 ? noun : plural}`;
}

/** `1–5, 8` for `[1, 2, 3, 4, 5, 8]`. */
export function compactList(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let index = 0; index < sorted.length; ) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    parts.push(end - index >= 2 ? `${sorted[index]}–${sorted[end]}` : sorted.slice(index, end + 1).join(', '));
    index = end + 1;
  }
  return parts.join(', ');
}

/** What an interval or range rests on: `3 seeds`, `29 clips`, `5 sweeps`. */
export interface IntervalBasis {
  n: number;
  /** The plural noun: `seeds`, `clips`, `sweeps`. */
  of: string;
}

/**
 * A value with its 95% interval, compactly: `+0.011 (95% CI −0.032 to +0.054, 3 seeds)`. The decimals follow the
 * interval's length (`spreadDecimals`); the sentence around it says what the interval means. `basis` may be
 * left out when the sentence names it.
 */
export function formatInterval(
  interval: { value: number; low: number; high: number },
  options: Pick<FormatOptions, 'style' | 'signed' | 'unit'> = {},
  basis?: IntervalBasis,
): string {
  const { value, low, high } = interval;
  const spreadOptions = withSpreadDecimals({ style: options.style ?? 'fixed', signed: options.signed }, high - low, value);
  const show = (number: number) => formatNumber(number, spreadOptions);
  const unit = options.unit ? `\u00a0${options.unit}` : '';
  const over = basis ? `, ${formatCount(basis.n, basis.of.replace(/s$/, ''), basis.of)}` : '';
  return `${show(value)}${unit} (95% CI ${show(low)} to ${show(high)}${unit}${over})`;
}
