/**
 * Keyset (cursor) paging: a page is named by the row it starts after or ends before, never by an
 * offset, so the last page of 50,000 rows costs what the first does: each page is one index range
 * read of `perPage + 1` rows, forwards from a key or backwards from one (or from either end).
 */

/** Where a page starts: the list's first page, after or before a row's key, or its last page. */
export type Cursor<K> = { at: 'first' } | { at: 'after'; key: K } | { at: 'before'; key: K } | { at: 'last' };

/** One page of rows in the list's order, and whether rows lie before and after it. */
export interface KeysetPage<T> {
  rows: T[];
  hasPrev: boolean;
  hasNext: boolean;
}

/** Query strings ('' for none) of the First, Previous, Next and Last pages; a missing one is not offered. */
export interface PagerLinks {
  first?: string;
  prev?: string;
  next?: string;
  last?: string;
}

export const FIRST: Cursor<never> = { at: 'first' };

/**
 * The cursor of a query string: `after=<key>`, `before=<key>` or `last=1`. Anything else, a key
 * that does not parse, several of them at once, and the old `page=N` all mean the first page.
 */
export function readCursor<K>(query: unknown, parseKey: (raw: string) => K | undefined): Cursor<K> {
  const q = (query ?? {}) as Record<string, unknown>;
  const given = ['after', 'before', 'last'].filter((name) => q[name] !== undefined);
  if (given.length !== 1) return FIRST;
  const raw = q[given[0]];
  if (typeof raw !== 'string' || raw.length > 40) return FIRST;
  if (given[0] === 'last') return raw === '1' ? { at: 'last' } : FIRST;
  const key = parseKey(raw);
  if (key === undefined) return FIRST;
  return given[0] === 'after' ? { at: 'after', key } : { at: 'before', key };
}

/** A row id as a cursor key: a positive integer that fits the id columns. */
export function idKey(raw: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n <= 2147483647 ? n : undefined;
}

/** Whether a cursor reads the list backwards (towards its start): the rows come back in reverse order. */
export function readsBackwards(cursor: Cursor<unknown>): boolean {
  return cursor.at === 'before' || cursor.at === 'last';
}

/**
 * The page from up to `perPage + 1` rows read in the cursor's direction: the extra row only tells
 * that more lie beyond, and rows read backwards are turned into the list's order.
 */
export function toPage<T>(cursor: Cursor<unknown>, fetched: T[], perPage: number): KeysetPage<T> {
  const more = fetched.length > perPage;
  const rows = fetched.slice(0, perPage);
  if (!readsBackwards(cursor)) return { rows, hasPrev: cursor.at === 'after', hasNext: more };
  return { rows: rows.reverse(), hasPrev: more, hasNext: cursor.at === 'before' };
}

/**
 * Reads one page; a cursor past either end (or naming a row this list does not hold beyond it)
 * finds nothing, and then the first page is shown instead of an empty one.
 */
export async function readPage<K, T>(
  cursor: Cursor<K>,
  read: (cursor: Cursor<K>) => Promise<KeysetPage<T>>,
): Promise<KeysetPage<T>> {
  const page = await read(cursor);
  if (page.rows.length || cursor.at === 'first') return page;
  return read(FIRST);
}

/**
 * The First/Previous/Next/Last addresses of a page: `keyOf` gives a row's cursor key, `keep` the
 * query parameters every link carries (a search, a filter, a return address).
 */
export function pagerLinks<T>(
  page: KeysetPage<T>,
  keyOf: (row: T) => string,
  keep: Record<string, string | undefined> = {},
): PagerLinks {
  const href = (cursor: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...cursor, ...keep })) if (value) params.set(name, value);
    const text = params.toString();
    return text ? `?${text}` : '';
  };
  const links: PagerLinks = {};
  if (page.hasPrev && page.rows.length) {
    links.first = href({});
    links.prev = href({ before: keyOf(page.rows[0]) });
  }
  if (page.hasNext && page.rows.length) {
    links.next = href({ after: keyOf(page.rows[page.rows.length - 1]) });
    links.last = href({ last: '1' });
  }
  return links;
}
