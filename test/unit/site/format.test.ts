import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../../src/site/format.ts';

const nbsp = '\u00a0';

describe('formatNumber', () => {
  it('prints integers in full with separators', () => {
    expect(formatNumber(13)).toBe('13');
    expect(formatNumber(224892)).toBe('224,892');
    expect(formatNumber(-4161)).toBe('\u22124,161');
  });

  it('gives other values three significant digits, keeping meaningful zeros', () => {
    expect(formatNumber(2.020143777)).toBe('2.02');
    expect(formatNumber(0.5)).toBe('0.500');
    expect(formatNumber(0.8355, { digits: 2 })).toBe('0.84');
  });

  it('switches to powers of ten for tiny and huge values, trimming a bare mantissa', () => {
    expect(formatNumber(3.1e-15)).toBe(`3.1${nbsp}×${nbsp}10⁻¹⁵`);
    expect(formatNumber(1e-9)).toBe('10⁻⁹');
    expect(formatNumber(-2.5e-7)).toBe(`\u22122.5${nbsp}×${nbsp}10⁻⁷`);
    expect(formatNumber(4.5e9 + 0.5)).toBe(`4.5${nbsp}×${nbsp}10⁹`);
  });

  it('keeps the requested digits in scientific style', () => {
    expect(formatNumber(4.39e6, { style: 'scientific', digits: 3 })).toBe(`4.39${nbsp}×${nbsp}10⁶`);
    expect(formatNumber(1e-9, { style: 'scientific', digits: 2 })).toBe(`1.0${nbsp}×${nbsp}10⁻⁹`);
    expect(formatNumber(0, { style: 'scientific' })).toBe('0');
  });

  it('formats fixed decimals without a negative zero', () => {
    expect(formatNumber(2.0201, { style: 'fixed', digits: 2 })).toBe('2.02');
    expect(formatNumber(-0.001, { style: 'fixed', digits: 2 })).toBe('0.00');
    expect(formatNumber(-1.5, { style: 'fixed', digits: 1 })).toBe('\u22121.5');
  });

  it('formats percentages, with ± and sign', () => {
    expect(formatNumber(0.8355, { style: 'percent', digits: 2 })).toBe('83.55%');
    expect(formatNumber(0.8355, { style: 'percent' }, 0.0041)).toBe('83.5 ±\u00a00.4%');
    expect(formatNumber(0.0113, { style: 'percent', signed: true })).toBe('+1.1%');
  });

  it('adds ± and a unit to other styles', () => {
    expect(formatNumber(1.1828, { style: 'fixed', digits: 3 }, 0.012)).toBe('1.183 ±\u00a00.012');
    expect(formatNumber(0.25, { unit: 's' })).toBe(`0.250${nbsp}s`);
    expect(formatNumber(8192, { style: 'integer', unit: 'tokens' })).toBe(`8,192${nbsp}tokens`);
  });

  it('refuses bad options and values, naming them', () => {
    expect(() => formatNumber(1, { style: 'percnt' as never })).toThrow('format options {"style":"percnt"} are not valid: style:');
    expect(() => formatNumber(1, { digits: -1 })).toThrow('digits');
    expect(() => formatNumber(Number.NaN)).toThrow('cannot format NaN');
    expect(() => formatNumber(1, {}, -0.1)).toThrow('the ± part must be a finite number ≥ 0');
  });
});
