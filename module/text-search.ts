import type { Knex } from 'knex';
import type { HostSchema } from './contract';

/**
 * Searches match the START of what they search, so that an index can serve them: a condition
 * `column LIKE 'word%'` is a range of the column's index on MySQL/MariaDB, where `LIKE '%word%'`
 * reads every row. Case and accents fold as the database compares them:
 *
 * - MySQL/MariaDB, a column: through the column's own collation, so the index stays usable. Every
 *   `_ci` collation folds case and the common accents ("muller" finds "Müller"); Ł, Ø, Đ fold to
 *   L, O, D only in `utf8mb4_unicode_520_ci` and the UCA 14 collations (the reference portal gives
 *   its name columns that one). A binary or `_bin` collation folds nothing.
 * - MySQL/MariaDB, an expression (a host's `{ sql }` account name): no index can serve it anyway,
 *   so it is compared in `utf8mb4_unicode_520_ci` whatever the collations of the columns in it
 *   (an expression mixing two collations could not be compared at all otherwise).
 * - MySQL/MariaDB, a word with letters beyond ASCII where a searched column is not utf8mb4 (WHMCS
 *   tables are often utf8mb3 or latin1): compared like an expression, see `readSearchCharsets`.
 * - SQLite folds only ASCII case in LIKE and has no collation for accents. The word is folded here
 *   and turned into a GLOB pattern in which each letter is a class of all its forms
 *   ("mu" → `[mMḿ…][uUüÜúÚ…]*`); the stored text is not transformed, so no function of the host's
 *   database is needed. SQLite is the development database: it reads every row it is given.
 */

/**
 * Whether every searched host column is utf8mb4, per database (MySQL/MariaDB), read once in the
 * background when the module starts. A word with a non-ASCII letter compared with a latin1 or
 * utf8mb3 column is an error ("Illegal mix of collations"), so until the answer is known, and
 * wherever it is no, such a word is compared as utf8mb4 instead: correct, but read row by row.
 */
const utf8mb4Columns = new WeakMap<Knex, boolean>();

export async function readSearchCharsets(knex: Knex, schema: HostSchema): Promise<void> {
  if (!isMysql(knex)) return;
  const { users, accounts } = schema;
  const columns = [
    [users.table, users.email],
    [users.table, users.firstName],
    [users.table, users.lastName],
    ...(typeof accounts.name === 'string' ? [[accounts.table, accounts.name]] : []),
  ];
  const rows: Array<{ charset: string | null }> = await knex('information_schema.COLUMNS')
    .whereRaw('TABLE_SCHEMA = database()')
    .whereIn(['TABLE_NAME', 'COLUMN_NAME'], columns)
    .select({ charset: 'CHARACTER_SET_NAME' });
  utf8mb4Columns.set(knex, rows.length === columns.length && rows.every((r) => r.charset === 'utf8mb4'));
}

function isMysql(knex: Knex): boolean {
  const configured = (knex.client as { config?: Knex.Config }).config?.client;
  return typeof configured === 'string' && /mysql|maria/i.test(configured);
}

/** The words of a search, at most five: "  ann   smi " → ["ann", "smi"]. */
export function searchWords(search: string): string[] {
  return search.split(/\s+/).filter(Boolean).slice(0, 5);
}

/** The text (a column name, or an SQL expression) starts with `prefix`, folded as described above. */
export function startsWithFolded(knex: Knex, text: string | Knex.Raw, prefix: string): Knex.Raw {
  const configured = (knex.client as { config?: Knex.Config }).config?.client;
  const client = typeof configured === 'string' ? configured : '';
  const subject = typeof text === 'string' ? '??' : '?';
  if (/mysql|maria/i.test(client)) {
    const ownCollation = typeof text === 'string' && (/^[\x20-\x7e]*$/.test(prefix) || utf8mb4Columns.get(knex));
    const compared = ownCollation ? subject : `convert(${subject} using utf8mb4) collate utf8mb4_unicode_520_ci`;
    return knex.raw(`${compared} like ? escape ?`, [text, prefixPattern(prefix), '\\']);
  }
  if (/sqlite/i.test(client)) return knex.raw(`${subject} glob ?`, [text, `${globOf(prefix)}*`]);
  return knex.raw(`lower(${subject}) like lower(?) escape ?`, [text, prefixPattern(prefix), '\\']);
}

/**
 * Each word of the search starts one of the columns: "ann smi" finds Ann Smith, "ann" finds
 * ann@example.com and Ann Lee, "nna" finds neither. On MySQL/MariaDB each word is an OR of ranges, one
 * per column's index, which the optimizer reads as an index merge.
 */
export function eachWordStartsOneOf(
  knex: Knex,
  q: Knex.QueryBuilder,
  search: string,
  columns: string[],
): Knex.QueryBuilder {
  for (const word of searchWords(search)) {
    q.andWhere((w) => {
      for (const column of columns) w.orWhere(startsWithFolded(knex, column, word));
    });
  }
  return q;
}

/** A LIKE pattern for "starts with": the wildcards the person typed (`%`, `_`, `\`) match themselves. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Letters whose Unicode decomposition does not reach their base letter. */
const SPECIAL: Record<string, string> = {
  ø: 'o',
  Ø: 'o',
  ł: 'l',
  Ł: 'l',
  đ: 'd',
  Đ: 'd',
  ħ: 'h',
  Ħ: 'h',
  ı: 'i',
  ŧ: 't',
  Ŧ: 't',
  ƀ: 'b',
  ɨ: 'i',
  ƶ: 'z',
  Ƶ: 'z',
};

/** The base letter of one character: "Ü" → "u", "ł" → "l"; other characters lower-cased as they are. */
function foldChar(c: string): string {
  if (SPECIAL[c]) return SPECIAL[c];
  return c
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
}

/** Every accented or capital form of each ASCII letter in the Latin blocks (built once). */
const FORMS: Map<string, string[]> = (() => {
  const forms = new Map<string, string[]>();
  const add = (base: string, c: string) => {
    const list = forms.get(base) ?? [base];
    if (!list.includes(c)) list.push(c);
    forms.set(base, list);
  };
  const ranges: Array<[number, number]> = [
    [0x41, 0x5a],
    [0xc0, 0x24f],
    [0x1e00, 0x1eff],
  ];
  for (const [from, to] of ranges) {
    for (let cp = from; cp <= to; cp += 1) {
      const c = String.fromCodePoint(cp);
      const base = foldChar(c);
      if (/^[a-z]$/.test(base)) add(base, c);
    }
  }
  return forms;
})();

/** The word folded the way `startsWithFolded` compares on SQLite: lower case, accents removed. */
export function foldText(text: string): string {
  return [...text].map(foldChar).join('');
}

/**
 * A GLOB pattern (without the trailing `*`) matching the word in any case and with any accents.
 * GLOB's own characters (`*`, `?`, `[`, `]`) become one-character classes, so they match literally.
 */
export function globOf(word: string): string {
  let out = '';
  for (const c of foldText(word)) {
    const forms =
      FORMS.get(c) ?? [c, c.toUpperCase()].filter((f, i, all) => [...f].length === 1 && all.indexOf(f) === i);
    if (forms.length > 1) {
      // "]" first and "^" never first: the only places GLOB reads them literally inside a class.
      const sorted = [...forms].sort((a, b) => (a === ']' ? -1 : b === ']' ? 1 : a === '^' ? 1 : b === '^' ? -1 : 0));
      out += `[${sorted.join('')}]`;
    } else if ('*?[]'.includes(c)) {
      out += `[${c}]`;
    } else {
      out += c;
    }
  }
  return out;
}
