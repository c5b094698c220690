import type { Knex } from 'knex';
import { likePattern } from './context';

/**
 * "Does this text contain that word", ignoring case and accents, as SQL on each database — so
 * "Muller" finds "Müller" and "muller" finds "MÜLLER" whether the host runs MariaDB/MySQL or SQLite.
 *
 * - MySQL/MariaDB: the text is compared in `utf8mb4_unicode_520_ci`, which folds case and accents
 *   (also Ł, Ø, Đ), whatever charset and collation the host's column has (WHMCS tables are often
 *   utf8mb3 or latin1).
 * - SQLite folds only ASCII case in LIKE and has no collation for accents. The word is folded here
 *   and turned into a GLOB pattern in which each letter is a class of all its forms
 *   ("mu" → `*[mMḿ…][uUüÜúÚ…]*`); the stored text is not transformed, so no function of the host's
 *   database is needed.
 *
 * Either way the search is a substring test ("%word%"), which no index can serve: the callers limit
 * the rows first by an index (the person's memberships), and the test runs on those rows only.
 */
export function containsFolded(knex: Knex, text: Knex.Raw, word: string): Knex.Raw {
  const configured = (knex.client as { config?: Knex.Config }).config?.client;
  const client = typeof configured === 'string' ? configured : '';
  if (/mysql|maria/i.test(client)) {
    return knex.raw('convert(? using utf8mb4) collate utf8mb4_unicode_520_ci like ? escape ?', [
      text,
      likePattern(word),
      '\\',
    ]);
  }
  if (/sqlite/i.test(client)) return knex.raw('? glob ?', [text, `*${globOf(word)}*`]);
  return knex.raw('lower(?) like lower(?) escape ?', [text, likePattern(word), '\\']);
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

/** The word folded the way `containsFolded` compares: lower case, accents removed. */
export function foldText(text: string): string {
  return [...text].map(foldChar).join('');
}

/**
 * A GLOB pattern (without the outer `*`) matching the word in any case and with any accents.
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
