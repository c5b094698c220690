import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Which translation keys a body of code refers to, read from its string literals: TypeScript
 * files, the code inside EJS tags, and the strings of JSON files (module.json names label keys).
 * A key built at run time (`permission.${key}.label`, 'invitePage.' + name) counts as a pattern,
 * each computed part standing for one key segment. Comments and page text are never read.
 */
export interface KeyReferences {
  exact: Set<string>;
  patterns: RegExp[];
}

const ROOT = path.join(__dirname, '..');
const CODE = /\.(ts|js|ejs)$/;

/** The code files under the given folders, and the given files (relative to the repository), sorted. */
export function codeFiles(entries: string[], root = ROOT): string[] {
  const found: string[] = [];
  const walk = (p: string) => {
    if (fs.statSync(p).isDirectory()) for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
    else if (CODE.test(p)) found.push(p);
  };
  // A folder's JSON files are data (a catalogue among them), never read as references.
  for (const entry of entries) {
    const p = path.join(root, entry);
    if (fs.statSync(p).isDirectory()) walk(p);
    else found.push(p);
  }
  return found;
}

/** The code of an EJS template: what its tags run and print, one statement a line. */
function ejsCode(text: string): string {
  return [...text.matchAll(/<%[_=-]?([\s\S]*?)[_-]?%>/g)].map((m) => (m[1].startsWith('#') ? '' : m[1])).join(';\n');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A key made of literal parts and computed ones; null when it cannot be a key (no dot, spaces, no literal start). */
function pattern(parts: Array<string | null>): RegExp | null {
  const source = parts.map((p) => (p === null ? '[\\w-]+' : escape(p))).join('');
  const literal = parts.filter((p): p is string => p !== null).join('');
  if (
    typeof parts[0] !== 'string' ||
    !/^[A-Za-z]/.test(parts[0]) ||
    !literal.includes('.') ||
    !/^[\w.-]*$/.test(literal)
  )
    return null;
  return new RegExp(`^${source}$`);
}

const isSum = (node: ts.Node) => ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken;

/** The parts of `'a.' + x + '.b'`, or null when the sum is not built from a string at its start. */
function sumParts(node: ts.Expression): Array<string | null> | null {
  if (ts.isParenthesizedExpression(node)) return sumParts(node.expression);
  if (ts.isBinaryExpression(node) && isSum(node)) {
    const left = sumParts(node.left);
    if (!left) return null;
    const right = ts.isStringLiteralLike(node.right) ? [node.right.text] : [null];
    return [...left, ...right];
  }
  return ts.isStringLiteralLike(node) ? [node.text] : null;
}

function addPattern(refs: KeyReferences, p: RegExp | null): void {
  if (p && !refs.patterns.some((q) => q.source === p.source)) refs.patterns.push(p);
}

function collectCode(code: string, file: string, refs: KeyReferences): void {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node)) refs.exact.add(node.text);
    else if (ts.isTemplateExpression(node)) {
      const parts: Array<string | null> = [node.head.text];
      for (const span of node.templateSpans) parts.push(null, span.literal.text);
      addPattern(refs, pattern(parts.filter((x) => x !== '')));
    } else if (isSum(node) && !isSum(node.parent)) {
      const parts = sumParts(node as ts.BinaryExpression);
      addPattern(refs, parts && parts.includes(null) ? pattern(parts) : null);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

function collectJson(value: unknown, refs: KeyReferences): void {
  if (typeof value === 'string') refs.exact.add(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectJson(v, refs);
}

export function referencesIn(files: string[]): KeyReferences {
  const refs: KeyReferences = { exact: new Set(), patterns: [] };
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.json')) collectJson(JSON.parse(text), refs);
    else collectCode(file.endsWith('.ejs') ? ejsCode(text) : text, file, refs);
  }
  return refs;
}

export function isReferenced(key: string, refs: KeyReferences): boolean {
  return refs.exact.has(key) || refs.patterns.some((p) => p.test(key));
}

/** The module's code: what the package ships and runs, including its views and its manifest. */
export const MODULE_CODE = ['module', 'views', 'hooks.ts', 'module.json'];
/** The reference portal's code and views. */
export const PORTAL_CODE = ['host'];
