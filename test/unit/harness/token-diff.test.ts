/**
 * Which source changes are pure renames, moves or format changes (nothing an attestation needs to have run), and
 * which are not (issue 19.2).
 */
import { describe, expect, it } from 'vitest';
import { lineHunks, substantiveChanges } from '../../../src/lib/harness/token-diff.ts';

const original = `import { relu } from 'activations';

export function scaled(values: number[]): number[] {
  const factor = 0.5;
  return values.map((value) => relu(value) * factor);
}

export function total(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0);
}
`;

/** The changed line numbers (new side) that are not a pure rename, move or format change. */
function substantive(now: string, old = original, unchanged: Array<{ path: string; text: string }> = []): number[][] {
  const [file] = substantiveChanges([{ path: 'scale.ts', old, now }], unchanged);
  return file.changes.map((change) => (change.codeLines.length ? change.codeLines : [change.newStart, change.newEnd]));
}

describe('lineHunks', () => {
  it('finds the replaced, inserted and removed lines', () => {
    expect(lineHunks('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n')).toEqual([
      { oldStart: 2, oldEnd: 3, newStart: 2, newEnd: 3 },
      { oldStart: 5, oldEnd: 5, newStart: 5, newEnd: 6 },
    ]);
    expect(lineHunks('a\nb\nc\n', 'a\nc\n')).toEqual([{ oldStart: 2, oldEnd: 3, newStart: 2, newEnd: 2 }]);
    expect(lineHunks('same\n', 'same\n')).toEqual([]);
  });
});

describe('substantiveChanges', () => {
  it('lets a consistent rename of a local name through', () => {
    expect(substantive(original.replaceAll('factor', 'weight'))).toEqual([]);
  });

  it('lets comments, blank lines, line breaks, quotes and trailing commas through', () => {
    const formatted = original
      .replace("from 'activations'", 'from "activations"')
      .replace('const factor = 0.5;', '// Half of it.\n  const factor = 0.5;\n')
      .replace('(sum, value) => sum + value, 0)', '(sum, value) => sum + value,\n    0,\n  )');
    expect(substantive(formatted)).toEqual([]);
  });

  it('lets a function moved elsewhere in the file through', () => {
    const total = original.slice(original.indexOf('export function total'));
    const moved = original.replace(total, '').replace('export function scaled', `${total}\nexport function scaled`);
    expect(substantive(moved)).toEqual([]);
  });

  it('holds a changed constant, operator or property name', () => {
    expect(substantive(original.replace('0.5', '0.25'))).toEqual([[4]]);
    expect(substantive(original.replace('sum + value', 'sum - value'))).toEqual([[9]]);
    expect(substantive(original.replace('values.map(', 'values.flatMap('))).toEqual([[5]]);
  });

  it('holds renames that could change what a name refers to', () => {
    // A package's export: the same name from the package is something else.
    expect(substantive(original.replaceAll('relu', 'elu'))).toEqual([[1], [5]]);
    // A global is not declared in the project: parseInt -> parseFloat is a different function.
    const parsing = 'export const read = (text: string) => parseInt(text);\n';
    expect(substantive(parsing.replace('parseInt', 'parseFloat'), parsing)).toEqual([[1]]);
    // Renamed into a name that already exists elsewhere: it could capture it.
    expect(substantive(original.replaceAll('factor', 'weight'), original, [{ path: 'other.ts', text: 'export const weight = 2;\n' }])).toEqual([[4, 5]]);
    // Renamed in one place only: the old name is still used.
    expect(substantive(original.replace('const factor', 'const weight'))).toEqual([[4]]);
  });

  it('lets the removal of declarations nothing uses any more through, wherever the diff places it', () => {
    expect(substantive(original.replace(/export function total[\s\S]*/, ''))).toEqual([]);
    expect(
      substantive(
        original.replace('export function scaled', 'const unused = 2;\n\nexport function scaled'),
        original.replace('\nexport function total', '\nconst spare = 1;\nexport function total'),
      ),
    ).toEqual([[3]]);
  });

  it('reports other removals as the place they were, for the caller to judge by the code around it', () => {
    const registering = `${original}\nregister(scaled);\n`;
    const [file] = substantiveChanges([{ path: 'scale.ts', old: registering, now: original }], []);
    expect(file.changes).toEqual([{ oldStart: 11, oldEnd: 13, newStart: 11, newEnd: 11, codeLines: [] }]);
    expect(file.newCodeLines).toEqual([1, 3, 4, 5, 6, 8, 9, 10]);
    // A variable whose value came from a call: the call could have had an effect.
    const computed = original.replace('export function total', 'const table = build();\nexport function total');
    expect(substantive(original, computed)).toEqual([[8, 8]]);
  });

  it('lets what TypeScript erases through: types, casts, type-only imports, type parameters and markers', () => {
    const typed = original
      .replace("import { relu } from 'activations';", "import { relu } from 'activations';\nimport type { Scale } from './scale-types.ts';")
      .replace('export function scaled(values: number[]): number[] {', 'export function scaled<T extends number>(values: readonly T[]): Scale {')
      .replace('const factor = 0.5;', 'const factor = 0.5 as const satisfies number;')
      .replace('relu(value)', 'relu(value!)')
      .replace('export function total(values: number[]): number {', 'interface Total {\n  sum?: number;\n}\n\nexport function total(values: number[]) {');
    expect(substantive(typed)).toEqual([]);
    // A cast's expression still counts.
    expect(substantive(original.replace('const factor = 0.5;', 'const factor = 0.25 as number;'))).toEqual([[4]]);
  });

  describe('a file split into others', () => {
    const helpers = `export function clamp(value: number, low: number, high: number): number {
  if (value < low) return low;
  return value > high ? high : value;
}
`;
    /** The original split: `scaled` stays, `total` moves to a new file with a helper from a third. */
    function split(totalText: string, helperText = helpers) {
      return substantiveChanges(
        [
          { path: 'scale.ts', old: `${original}\n${helpers.replace('export ', '')}`, now: original.replace(/export function total[\s\S]*/, '') },
          { path: 'total.ts', old: undefined, now: `import { clamp } from './clamp.ts';\n\n${totalText}` },
          { path: 'clamp.ts', old: undefined, now: helperText },
        ],
        [],
      ).map((file) => [file.path, file.changes.flatMap((change) => change.codeLines)]);
    }
    const total = original.slice(original.indexOf('export function total'));

    it('lets statements moved whole into new files through (exported or not), the new imports aside', () => {
      expect(split(total)).toEqual([
        ['scale.ts', []],
        ['total.ts', [1]],
        ['clamp.ts', []],
      ]);
    });

    it('holds only the edited tokens of a moved declaration, and the line where tokens were dropped', () => {
      expect(split(total.replace('sum + value', 'sum + clamp(value, 0, 1)'))[1]).toEqual(['total.ts', [1, 4]]);
      const shorter = helpers.replace('  if (value < low) return low;\n', '');
      expect(split(total, shorter)[2]).toEqual(['clamp.ts', [2]]);
    });

    it('holds a moved reference to a name two files declare: tokens cannot tell which one it means', () => {
      const ambiguous = substantiveChanges(
        [
          { path: 'scale.ts', old: original, now: original.replace(/export function total[\s\S]*/, '') },
          { path: 'total.ts', old: undefined, now: total.replace('sum + value', 'sum + relu(value)') },
        ],
        [
          { path: 'a.ts', text: 'export function relu(x: number) { return x; }\n' },
          { path: 'b.ts', text: 'export function relu(x: number) { return Math.max(x, 0); }\n' },
        ],
      );
      expect(ambiguous[1].changes.flatMap((change) => change.codeLines)).toEqual([2]);
    });
  });
});
