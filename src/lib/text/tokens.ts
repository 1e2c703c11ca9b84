/**
 * The homework's character vocabulary: 35 symbols, four special ones first.
 *
 *   0 `<` start   1 `>` stop   2 `@` pad   3 `#` unknown   4 space   5 `,`   6 `.`   7 `?`   8 `-`   9..34 a..z
 *
 * The order is pinned by the golden files: `asr.json` decodes from start token 0 and `string-similarity.json`
 * wraps every sequence in 0 ... 1.
 */
export const VOCABULARY = ['<', '>', '@', '#', ' ', ',', '.', '?', '-', ...'abcdefghijklmnopqrstuvwxyz'] as const;
export const VOCAB_SIZE = VOCABULARY.length;
export const START = 0;
export const STOP = 1;
export const PAD = 2;
export const UNKNOWN = 3;
/** The homework's text length (start + 97 characters + stop, padded). */
export const DEFAULT_MAX_LEN = 99;

/** Characters that stand for themselves in text; everything else, the four special symbols included, is unknown. */
const TEXT_SYMBOLS = new Map<string, number>(VOCABULARY.map((symbol, id) => [symbol, id] as [string, number]).filter(([, id]) => id > UNKNOWN));

/** Token id of one (already lower-cased) character. */
function characterToken(character: string): number {
  return TEXT_SYMBOLS.get(character) ?? UNKNOWN;
}

/** Whether every character of the lower-cased text has its own token (nothing would become unknown). */
export function isEncodable(text: string): boolean {
  for (const character of text.toLowerCase()) if (!TEXT_SYMBOLS.has(character)) return false;
  return true;
}

/**
 * Lower-cases, maps characters to ids (unknown -> `#`), keeps the first maxLen - 2, wraps them in start/stop and
 * pads to maxLen. Characters are code points, as Python iterates a str.
 */
export function encodeText(text: string, maxLen = DEFAULT_MAX_LEN): Int32Array {
  if (!Number.isInteger(maxLen) || maxLen < 2) throw new Error(`encodeText: maxLen must be an integer >= 2, got ${maxLen}`);
  const tokens = new Int32Array(maxLen).fill(PAD);
  tokens[0] = START;
  let position = 1;
  for (const character of text.toLowerCase()) {
    if (position > maxLen - 2) break;
    tokens[position++] = characterToken(character);
  }
  tokens[position] = STOP;
  return tokens;
}

/** The symbols of a token sequence, one character per id, special symbols included (for display and debugging). */
export function tokenSymbols(tokens: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const symbol = VOCABULARY[tokens[i]];
    if (symbol === undefined) throw new Error(`tokenSymbols: id ${tokens[i]} at position ${i} is outside the vocabulary of ${VOCAB_SIZE}`);
    out += symbol;
  }
  return out;
}

/** The text a sequence spells: after a leading start token, up to the first stop, pads dropped. */
export function decodeTokens(tokens: ArrayLike<number>): string {
  let out = '';
  for (let i = tokens.length > 0 && tokens[0] === START ? 1 : 0; i < tokens.length; i++) {
    const id = tokens[i];
    if (id === STOP) break;
    if (id === PAD) continue;
    const symbol = VOCABULARY[id];
    if (symbol === undefined) throw new Error(`decodeTokens: id ${id} at position ${i} is outside the vocabulary of ${VOCAB_SIZE}`);
    out += symbol;
  }
  return out;
}
