/**
 * What changed between two versions of the project's source files, and which changes are pure renames, moves
 * or reformatting: the same token sequence (comments and whitespace aside) up to a consistent renaming of
 * identifiers. Such a change cannot move a number, so an attestation need not have run it (attest.ts); every
 * other changed line must have been run by the check.
 *
 * A renaming counts only when it is safe without resolving bindings: every renamed name is declared in the
 * project (a global such as `parseInt` is not), appears nowhere in the new sources (every use was renamed), and
 * the new name appears nowhere in the old ones (it captures nothing). Property names (`config.size`, object keys,
 * shorthand properties, destructured keys, imported and exported names) must stay as they were: they may name
 * something outside the changed code, a package's API for one. Removing declarations nothing refers to any more
 * (a dead function, a constant no longer read) is inert too; what used them changed and is judged on its own.
 *
 * A move is found at two sizes: a changed region that reappears whole elsewhere (in any file), and, for code
 * inserted where no whole region matches (a file split into several, a function moved into a new file), each
 * top-level statement on its own: one with the same tokens as a statement removed anywhere in the change is moved,
 * and a declaration whose name a removed declaration had is compared with it token by token, so only its edited
 * tokens count, renamed ones among them, and a token it lost marks the line where it was. Tokens do not resolve
 * bindings, so a moved statement's reference to a name declared at the top level of more than one file is never
 * taken as unchanged: it might now mean the other one. Nor is the order of top-level statements compared: a move
 * that put one statement with an effect before another it affects would pass, so top-level code here only declares.
 *
 * `export` is format: it changes who may import a name, not what the name computes. So is everything TypeScript
 * erases when it compiles (types, interfaces, casts, type-only imports: `erasedChildren`).
 */
import ts from 'typescript';

export interface Token {
  kind: ts.SyntaxKind;
  /** The token's text; a string or number literal's value, so quote style and digit separators are format. */
  text: string;
  /** 1-based line of the token's start. */
  line: number;
  /** Offset of the token's start in its file. */
  pos: number;
  /** An identifier a rename may change (not a property name). */
  renamable: boolean;
}

/** A changed region: old lines [oldStart, oldEnd) became new lines [newStart, newEnd) (1-based, end exclusive). */
export interface Hunk {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

/** A source file in both versions (`old` undefined: added; `now` undefined: removed). */
export interface FileVersions {
  path: string;
  old: string | undefined;
  now: string | undefined;
}

export interface FileChanges {
  path: string;
  /** Changed regions that are not a pure rename, move or format change, with the new lines that hold tokens. */
  changes: Array<Hunk & { codeLines: number[] }>;
  /** Every token line of the new version (a removal is judged by the code around it). */
  newCodeLines: number[];
}

/**
 * Per changed file, the changes that need running: each diff hunk whose tokens differ from the lines they
 * replaced (or, for code moved elsewhere, from the lines removed there) by more than a safe renaming.
 */
export function substantiveChanges(files: FileVersions[], unchanged: Array<{ path: string; text: string }>): FileChanges[] {
  const parsed = files.map((file) => {
    const old = parse(file.path, file.old);
    const now = parse(file.path, file.now);
    const hunks = lineHunks(file.old ?? '', file.now ?? '');
    const side = (tokens: Token[], start: number, end: number) => tokens.filter((token) => token.line >= start && token.line < end);
    return {
      file,
      versions: { old, now },
      hunks: hunks.map((hunk) => ({ hunk, old: side(old.tokens, hunk.oldStart, hunk.oldEnd), now: side(now.tokens, hunk.newStart, hunk.newEnd) })),
    };
  });
  const unchangedParsed = unchanged.map(({ path, text }) => parse(path, text));
  // Every file of one version of the sources, each parsed once: the changed files' old or new text, and the unchanged.
  const version = (side: 'old' | 'now') => [...parsed.map(({ versions }) => versions[side]), ...unchangedParsed];
  const names = { old: namesOf(version('old')), now: namesOf(version('now')) };

  // Pair each hunk with the lines it replaced; a removal and an insertion elsewhere with matching tokens are a move.
  type Pending = { hunk: Hunk; old: Token[]; now: Token[]; file: number };
  const all: Pending[] = parsed.flatMap(({ hunks }, file) => hunks.map((entry) => ({ ...entry, file })));
  const pairs = new Map<Pending, Token[]>();
  for (const entry of all) if (sameShape(entry.old, entry.now)) pairs.set(entry, entry.old);
  // A file whose tokens are the same throughout changed only in format, wherever its line diff drew the hunks.
  for (const [index, { versions }] of parsed.entries()) {
    if (!sameShape(versions.old.tokens, versions.now.tokens)) continue;
    const position = new Map(versions.now.tokens.map((token, i) => [token, i]));
    const counterpartOf = (token: Token) => versions.old.tokens[position.get(token)!];
    for (const entry of all.filter((item) => item.file === index)) pairs.set(entry, entry.now.map(counterpartOf));
  }
  const removals = all.filter((entry) => !pairs.has(entry) && entry.now.length === 0 && entry.old.length > 0);
  for (const entry of all.filter((item) => !pairs.has(item) && item.old.length === 0 && item.now.length > 0)) {
    const source = removals.findIndex((removal) => sameShape(removal.old, entry.now));
    if (source < 0) continue;
    pairs.set(entry, removals[source].old);
    pairs.set(removals[source], removals[source].old);
    removals.splice(source, 1);
  }

  // What is left inserted is matched statement by statement against the statements removed anywhere.
  const counterparts = new Map<Pending, Array<Token | undefined>>();
  const lostLines = new Map<Pending, number[]>();
  for (const [entry, old] of pairs) if (entry.now.length > 0) counterparts.set(entry, [...old]);
  const leftover = all.filter((entry) => !pairs.has(entry));
  const removed = leftover.flatMap((entry) =>
    statementsOf(parsed[entry.file].versions.old, entry.old).filter((statement) => inside(statement.tokens, entry.hunk.oldStart, entry.hunk.oldEnd)),
  );
  const ambiguous = new Set([...declaredInSeveralFiles(version('old')), ...declaredInSeveralFiles(version('now'))]);
  for (const entry of leftover.filter((item) => item.now.length > 0)) {
    const position = new Map(entry.now.map((token, i) => [token, i]));
    const counterpart: Array<Token | undefined> = entry.now.map(() => undefined);
    const lost: number[] = [];
    const inserted = statementsOf(parsed[entry.file].versions.now, entry.now).filter((statement) =>
      inside(statement.tokens, entry.hunk.newStart, entry.hunk.newEnd),
    );
    for (const statement of inserted) {
      const same = removed.find((candidate) => sameShape(candidate.tokens, statement.tokens));
      // Several removed declarations may share the name (one per file the code came from): the closest one counts.
      const candidates = same
        ? [{ namesake: same, alignment: { matched: statement.tokens.map((_, i) => i), lostBefore: [] } }]
        : removed
            .filter((candidate) => statement.name !== undefined && candidate.name === statement.name)
            .map((candidate) => ({ namesake: candidate, alignment: alignTokens(candidate.tokens, statement.tokens) }));
      const best = candidates.sort((a, b) => unaligned(a.alignment) - unaligned(b.alignment))[0];
      if (!best) continue;
      const { namesake, alignment } = best;
      alignment.matched.forEach((oldIndex, i) => {
        const token = statement.tokens[i];
        if (oldIndex === undefined || (token.renamable && ambiguous.has(token.text))) return;
        counterpart[position.get(token)!] = namesake.tokens[oldIndex];
      });
      lost.push(...alignment.lostBefore.map((i) => statement.tokens[i].line));
    }
    counterparts.set(entry, counterpart);
    lostLines.set(entry, lost);
  }

  // One renaming for the whole change: an old name goes to one new name everywhere, and back.
  const forward = new Map<string, Set<string>>();
  const backward = new Map<string, Set<string>>();
  for (const [entry, old] of counterparts) {
    old.forEach((token, i) => {
      if (!token?.renamable) return;
      const renamed = entry.now[i].text;
      if (!forward.has(token.text)) forward.set(token.text, new Set());
      if (!backward.has(renamed)) backward.set(renamed, new Set());
      forward.get(token.text)!.add(renamed);
      backward.get(renamed)!.add(token.text);
    });
  }
  const safe = (from: string, to: string) =>
    from === to
      ? forward.get(from)!.size === 1 && (backward.get(to)?.size ?? 1) === 1
      : forward.get(from)!.size === 1 &&
        backward.get(to)!.size === 1 &&
        names.old.declared.has(from) &&
        names.now.declared.has(to) &&
        !names.now.all.has(from) &&
        !names.old.all.has(to);
  /** The new lines of an entry that hold a token with no counterpart, or one renamed unsafely, or where tokens were lost. */
  const substantiveLines = (entry: Pending): number[] => {
    const old = counterparts.get(entry);
    const lines = entry.now.filter((token, i) => !old?.[i] || (old[i].renamable && !safe(old[i].text, token.text))).map((token) => token.line);
    return [...new Set([...lines, ...(lostLines.get(entry) ?? [])])].sort((a, b) => a - b);
  };

  return parsed.map(({ file, versions }, index) => {
    const codeLines = [...new Set(versions.now.tokens.map((token) => token.line))].sort((a, b) => a - b);
    const changes = all
      .filter((entry) => entry.file === index)
      .flatMap((entry) => {
        if (entry.now.length === 0) {
          const pure = pairs.has(entry) || removesUnusedDeclarations(file, entry.hunk, names.now.all);
          return pure ? [] : [{ ...entry.hunk, codeLines: [] }];
        }
        const lines = substantiveLines(entry);
        return lines.length ? [{ ...entry.hunk, codeLines: lines }] : [];
      });
    return { path: file.path, changes, newCodeLines: codeLines };
  });
}

interface Statement {
  tokens: Token[];
  /** The name a declaration declares (a function, class, type, interface, enum, or a single variable). */
  name: string | undefined;
}

/** The top-level statements of a file among `tokens` (those of the statement's range), with their names. */
function statementsOf({ source }: Parsed, tokens: Token[]): Statement[] {
  if (source === undefined || tokens.length === 0) return [];
  return source.statements
    .map((statement) => ({
      tokens: tokens.filter((token) => token.pos >= statement.getStart(source) && token.pos < statement.end),
      name: declaredName(statement),
    }))
    .filter((statement) => statement.tokens.length > 0);
}

function declaredName(statement: ts.Statement): string | undefined {
  if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement)
  )
    return statement.name?.text;
  if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
    const name = statement.declarationList.declarations[0].name;
    return ts.isIdentifier(name) ? name.text : undefined;
  }
  return undefined;
}

function inside(tokens: Token[], start: number, end: number): boolean {
  return tokens.every((token) => token.line >= start && token.line < end);
}

/** Names declared at the top level of more than one file of one version (imports aside): a reference to one is ambiguous. */
function declaredInSeveralFiles(version: Parsed[]): string[] {
  const files = new Map<string, number>();
  for (const { source } of version) {
    if (source === undefined) continue;
    for (const name of new Set(source.statements.flatMap(topLevelNames))) files.set(name, (files.get(name) ?? 0) + 1);
  }
  return [...files].filter(([, count]) => count > 1).map(([name]) => name);
}

/** The names a top-level statement declares in its module (not imports). */
function topLevelNames(statement: ts.Statement): string[] {
  if (!ts.isVariableStatement(statement)) {
    const name = declaredName(statement);
    return name === undefined ? [] : [name];
  }
  const names: string[] = [];
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const declaration of statement.declarationList.declarations) bind(declaration.name);
  return names;
}

/** How far an alignment is from the identity: the new tokens without a counterpart and the places tokens were lost. */
function unaligned(alignment: { matched: Array<number | undefined>; lostBefore: number[] }): number {
  return alignment.matched.filter((index) => index === undefined).length + alignment.lostBefore.length;
}

/** Beyond this many token pairs, a moved declaration is not compared token by token (it counts as changed). */
const alignmentBudget = 4_000_000;

/**
 * The longest common subsequence of two token sequences (equal tokens: a renaming inside an edited declaration is
 * an edit, since an alignment that paired any two names could pair the wrong ones):
 * for each new token the index of its old counterpart (undefined: inserted), and the new tokens before which old
 * tokens were dropped (the last one when they were dropped at the end).
 */
function alignTokens(old: Token[], now: Token[]): { matched: Array<number | undefined>; lostBefore: number[] } {
  const n = old.length;
  const m = now.length;
  if (n * m > alignmentBudget) return { matched: now.map(() => undefined), lostBefore: [] };
  const same = (i: number, j: number) => old[i].kind === now[j].kind && old[i].text === now[j].text;
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * (m + 1) + j] = same(i, j) ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  const matched: Array<number | undefined> = now.map(() => undefined);
  const lostBefore = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && same(i, j) && lcs[i * (m + 1) + j] === lcs[(i + 1) * (m + 1) + j + 1] + 1) {
      matched[j] = i;
      i += 1;
      j += 1;
    } else if (j < m && (i === n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j])) j += 1;
    else {
      lostBefore.add(Math.min(j, m - 1));
      i += 1;
    }
  }
  return { matched, lostBefore: [...lostBefore] };
}

/**
 * A removal that only drops declarations nothing refers to any more: functions, interfaces, types, type-only
 * imports, and variables whose value is a literal or a function (no call that could have had an effect). A diff
 * may place a removal a few lines off (`}` and blank lines repeat), so every equivalent placement is tried.
 */
function removesUnusedDeclarations(file: FileVersions, hunk: Hunk, namesNow: Set<string>): boolean {
  const lines = splitLines(file.old ?? '');
  const line = (number: number) => lines[number - 1];
  let start = hunk.oldStart;
  let end = hunk.oldEnd;
  while (start > 1 && line(start - 1) === line(end - 1)) [start, end] = [start - 1, end - 1];
  for (; ; [start, end] = [start + 1, end + 1]) {
    if (declarationsOnly(lines.slice(start - 1, end - 1).join('\n'), file.path, namesNow)) return true;
    if (end > lines.length || line(start) !== line(end)) return false;
  }
}

function declarationsOnly(text: string, path: string, namesNow: Set<string>): boolean {
  if (ts.transpileModule(text, { reportDiagnostics: true, fileName: path }).diagnostics?.length) return false;
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
  const inert = (value: ts.Expression | undefined) =>
    value === undefined ||
    ts.isLiteralExpression(value) ||
    ts.isArrowFunction(value) ||
    ts.isFunctionExpression(value) ||
    value.kind === ts.SyntaxKind.TrueKeyword ||
    value.kind === ts.SyntaxKind.FalseKeyword ||
    value.kind === ts.SyntaxKind.NullKeyword;
  const declared: string[] = [];
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      if (!statement.name) return false;
      declared.push(statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || !inert(declaration.initializer)) return false;
        declared.push(declaration.name.text);
      }
    } else if (!(ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly)) return false;
  }
  return declared.length > 0 && declared.every((name) => !namesNow.has(name));
}

/** Same length, kinds and fixed texts: equal up to the renaming of renamable identifiers. */
function sameShape(old: Token[], now: Token[]): boolean {
  if (old.length !== now.length) return false;
  return old.every((token, i) => token.kind === now[i].kind && token.renamable === now[i].renamable && (token.renamable || token.text === now[i].text));
}

/** Every identifier of one version of the sources (in any position), and the names it declares. */
function namesOf(version: Parsed[]): { all: Set<string>; declared: Set<string> } {
  const all = new Set(version.flatMap(({ tokens }) => tokens.filter((token) => token.kind === ts.SyntaxKind.Identifier).map((token) => token.text)));
  const declared = new Set(version.flatMap(({ source }) => (source === undefined ? [] : declaredNames(source))));
  return { all, declared };
}

/** One version of a source file, parsed once: its syntax tree and its tokens (neither when the file is absent). */
interface Parsed {
  source: ts.SourceFile | undefined;
  tokens: Token[];
}

function parse(path: string, text: string | undefined): Parsed {
  if (text === undefined) return { source: undefined, tokens: [] };
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
  return { source, tokens: tokensOf(source) };
}

/** The tokens of a source file, comments and whitespace left out, trailing commas dropped (format). */
function tokensOf(source: ts.SourceFile): Token[] {
  const tokens: Token[] = [];
  const visit = (node: ts.Node) => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(source);
    if (children.length > 0 && !ts.isIdentifier(node) && !ts.isLiteralExpression(node)) {
      const erased = erasedChildren(node, children, source);
      children.forEach((child, i) => {
        if (!erased[i]) visit(child);
      });
      return;
    }
    if (node.kind === ts.SyntaxKind.EndOfFileToken) return;
    const start = node.getStart(source);
    tokens.push({
      kind: node.kind,
      text:
        ts.isStringLiteral(node) || ts.isNumericLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)
          ? `${node.kind}:${literalValue(node)}`
          : node.getText(source),
      line: source.getLineAndCharacterOfPosition(start).line + 1,
      pos: start,
      renamable: ts.isIdentifier(node) && !isPropertyName(node),
    });
  };
  visit(source);
  const closing = new Set([ts.SyntaxKind.CloseParenToken, ts.SyntaxKind.CloseBracketToken, ts.SyntaxKind.CloseBraceToken, ts.SyntaxKind.GreaterThanToken]);
  return tokens.filter(
    (token, i) =>
      token.kind !== ts.SyntaxKind.ExportKeyword && !(token.kind === ts.SyntaxKind.CommaToken && i + 1 < tokens.length && closing.has(tokens[i + 1].kind)),
  );
}

/**
 * Which of a node's children TypeScript erases when it compiles to JavaScript: types and the punctuation that
 * introduces them (`: T`, `as T`, `satisfies T`, `<T>`), interfaces, type aliases, type parameters, type-only imports
 * and exports, `implements`, and the `?` and `!` markers. None of it runs, so none of it can move a number.
 */
function erasedChildren(parent: ts.Node, children: readonly ts.Node[], source: ts.SourceFile): boolean[] {
  const typeLevel = children.map((child) => isTypeLevel(child, source));
  return children.map((child, i) => {
    if (typeLevel[i]) return true;
    const next = typeLevel[i + 1] ?? false;
    const previous = typeLevel[i - 1] ?? false;
    switch (child.kind) {
      case ts.SyntaxKind.ColonToken:
      case ts.SyntaxKind.AsKeyword:
      case ts.SyntaxKind.SatisfiesKeyword:
      case ts.SyntaxKind.LessThanToken:
        return next;
      case ts.SyntaxKind.GreaterThanToken:
        return previous;
      case ts.SyntaxKind.CommaToken:
        return previous || next;
      case ts.SyntaxKind.QuestionToken:
        return ts.isParameter(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent);
      case ts.SyntaxKind.ExclamationToken:
        return ts.isNonNullExpression(parent) || ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent);
      default:
        return false;
    }
  });
}

function isTypeLevel(node: ts.Node, source: ts.SourceFile): boolean {
  if (node.kind === ts.SyntaxKind.SyntaxList) {
    const items = node.getChildren(source).filter((child) => child.kind !== ts.SyntaxKind.CommaToken);
    return items.length > 0 && items.every((item) => isTypeLevel(item, source));
  }
  // `class A extends B` runs; `implements` and an interface's `extends` do not.
  if (ts.isExpressionWithTypeArguments(node))
    return !(ts.isHeritageClause(node.parent) && node.parent.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(node.parent.parent));
  return (
    ts.isTypeNode(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isTypeParameterDeclaration(node) ||
    (ts.isImportDeclaration(node) && node.importClause?.isTypeOnly === true) ||
    ((ts.isImportSpecifier(node) || ts.isExportSpecifier(node) || ts.isExportDeclaration(node)) && node.isTypeOnly) ||
    (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword)
  );
}

function literalValue(node: ts.StringLiteral | ts.NumericLiteral | ts.NoSubstitutionTemplateLiteral): string {
  return ts.isNumericLiteral(node) ? String(Number(node.text.replaceAll('_', ''))) : node.text;
}

function scriptKind(path: string): ts.ScriptKind {
  return /\.[cm]?js$/.test(path) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

/** An identifier that names a property or an imported/exported binding by its external name: it may not be renamed. */
function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.name === node;
  if (ts.isQualifiedName(parent)) return parent.right === node;
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  if (ts.isBindingElement(parent)) return parent.propertyName === node || (parent.propertyName === undefined && ts.isObjectBindingPattern(parent.parent));
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return parent.propertyName === node || parent.propertyName === undefined;
  if (
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent) ||
    ts.isPropertySignature(parent) ||
    ts.isMethodDeclaration(parent) ||
    ts.isMethodSignature(parent) ||
    ts.isGetAccessorDeclaration(parent) ||
    ts.isSetAccessorDeclaration(parent) ||
    ts.isEnumMember(parent)
  )
    return parent.name === node;
  return false;
}

/** Names the file declares: variables, functions, classes, types, parameters, imports' local names. */
function declaredNames(source: ts.SourceFile): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && !isPropertyName(node)) {
      const parent = node.parent;
      const declaring =
        ((ts.isVariableDeclaration(parent) ||
          ts.isFunctionDeclaration(parent) ||
          ts.isFunctionExpression(parent) ||
          ts.isClassDeclaration(parent) ||
          ts.isClassExpression(parent) ||
          ts.isInterfaceDeclaration(parent) ||
          ts.isTypeAliasDeclaration(parent) ||
          ts.isEnumDeclaration(parent) ||
          ts.isParameter(parent) ||
          ts.isBindingElement(parent) ||
          ts.isTypeParameterDeclaration(parent) ||
          ts.isImportClause(parent) ||
          ts.isNamespaceImport(parent) ||
          ts.isImportSpecifier(parent)) &&
          parent.name === node) ||
        false;
      if (declaring) names.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/**
 * The changed regions between two texts, line by line (longest common subsequence after trimming the common
 * head and tail; sources are a few hundred lines).
 */
export function lineHunks(oldText: string, newText: string): Hunk[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  // lcs[i][j]: the longest common subsequence of a[head+i..] and b[head+j..], in one flat array.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * (m + 1) + j] = a[head + i] === b[head + j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  let open: Hunk | undefined;
  const close = () => {
    if (open) hunks.push(open);
    open = undefined;
  };
  const extend = (di: number, dj: number) => {
    open ??= { oldStart: head + i + 1, oldEnd: head + i + 1, newStart: head + j + 1, newEnd: head + j + 1 };
    open.oldEnd += di;
    open.newEnd += dj;
    i += di;
    j += dj;
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i] === b[head + j]) {
      close();
      i += 1;
      j += 1;
    } else if (j < m && (i === n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j])) extend(0, 1);
    else extend(1, 0);
  }
  close();
  return hunks;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
