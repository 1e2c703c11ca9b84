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
    if (plusMinus !== undefined) text += ` ± ${fixed(plusMinus * 100, decimals)}`;
    suffix = '%';
  } else {
    const one = (x: number) => formatOne(x, style, digits);
    text = sign + one(value);
    if (plusMinus !== undefined) text += ` ± ${one(plusMinus)}`;
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
      // toPrecision keeps trailing zeros that carry meaning (0.500 at three digits); it never uses an exponent here.
      return withMinus(value.toPrecision(significant));
    }
  }
}

function fixed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  // -0.00 reads as a negative number that is not there.
  return withMinus(Number(text) === 0 ? text.replace(/^-/, '') : text);
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
 * A result over seeds: `mean ± sd (n = 3)` when there is more than one seed, else the one value. Every number
 * that may come from several seeds goes through here, so a spread reads the same everywhere.
 */
export function formatSpread(spread: Spread, options: FormatOptions = {}): string {
  if (spread.n > 1 && spread.sd !== null) return `${formatNumber(spread.mean, options, spread.sd)} (n\u00a0=\u00a0${spread.n})`;
  return formatNumber(spread.mean, options);
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
