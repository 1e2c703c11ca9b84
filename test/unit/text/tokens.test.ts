import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_LEN,
  PAD,
  START,
  STOP,
  UNKNOWN,
  VOCABULARY,
  VOCAB_SIZE,
  decodeTokens,
  encodeText,
  isEncodable,
  tokenSymbols,
} from '../../../src/lib/text/tokens.ts';

describe('tokens', () => {
  it('has the homework vocabulary in its order', () => {
    expect(VOCAB_SIZE).toBe(35);
    expect(VOCABULARY.join('')).toBe('<>@# ,.?-abcdefghijklmnopqrstuvwxyz');
    expect([START, STOP, PAD, UNKNOWN]).toEqual([0, 1, 2, 3]);
    expect(DEFAULT_MAX_LEN).toBe(99);
  });

  it('lower-cases, wraps in start/stop and pads', () => {
    const tokens = encodeText('Hi, Bob?', 12);
    expect(tokens).toBeInstanceOf(Int32Array);
    expect(Array.from(tokens)).toEqual([0, 16, 17, 5, 4, 10, 23, 10, 7, 1, 2, 2]);
    expect(tokenSymbols(tokens)).toBe('<hi, bob?>@@');
    expect(decodeTokens(tokens)).toBe('hi, bob?');
  });

  it('maps characters outside the vocabulary, special symbols included, to unknown', () => {
    expect(tokenSymbols(encodeText("it's 1 <@>#", 14))).toBe('<it#s # ####>@');
    expect(isEncodable('Mr. Smith-Jones, said: no?')).toBe(false);
    expect(isEncodable('Mr. Smith-Jones, said no?')).toBe(true);
    expect(isEncodable('naïve')).toBe(false);
  });

  it('keeps at most maxLen - 2 characters', () => {
    const text = 'abcdefghij';
    expect(tokenSymbols(encodeText(text, 8))).toBe('<abcdef>');
    expect(tokenSymbols(encodeText(text, 12))).toBe('<abcdefghij>');
    expect(tokenSymbols(encodeText('', 4))).toBe('<>@@');
    const long = encodeText('x'.repeat(500));
    expect(long.length).toBe(99);
    expect(long[97]).toBe(VOCABULARY.indexOf('x'));
    expect(long[98]).toBe(STOP);
    expect(() => encodeText('a', 1)).toThrow(/maxLen must be an integer >= 2/);
  });

  it('decodes up to the first stop and rejects ids outside the vocabulary', () => {
    expect(decodeTokens([0, 9, 2, 10, 1, 11, 12])).toBe('ab');
    expect(decodeTokens([9, 10, 11])).toBe('abc');
    expect(() => decodeTokens([0, 35])).toThrow(/id 35 at position 1 is outside the vocabulary of 35/);
  });
});
