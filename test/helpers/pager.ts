import assert from 'node:assert/strict';
import type { Client } from './portal';

/** A step of the shared pager (views/partials/pager.ejs). */
export type PagerStep = 'first' | 'prev' | 'next' | 'last';

/** The address of a pager link on a page, as a browser would follow it, or undefined when the page offers none. */
export function pagerLink(html: string, step: PagerStep): string | undefined {
  const found = new RegExp(`<a href="([^"]*)" rel="${step}" data-pager="${step}">`).exec(html);
  return found ? found[1].replace(/&amp;/g, '&') : undefined;
}

/**
 * Follows one pager link from page to page, starting at `start`, and returns the rows of each
 * page (in the page's order) as `rowsOf` reads them. Fails on a page that does not answer 200 or
 * on a walk longer than `maxPages`.
 */
export async function walkPages(
  client: Client,
  start: string,
  step: 'next' | 'prev',
  rowsOf: (html: string) => string[],
  maxPages = 500,
): Promise<string[][]> {
  const pages: string[][] = [];
  let path: string | undefined = start;
  while (path !== undefined) {
    const res = await client.get(path);
    assert.equal(res.status, 200, `${path} answers`);
    pages.push(rowsOf(res.text));
    assert.ok(pages.length <= maxPages, `the walk from ${start} ends`);
    path = pagerLink(res.text, step);
  }
  return pages;
}

/**
 * Walks a list forwards from `first` with Next and backwards from its Last link with Previous, and
 * checks both visit `expected` exactly once each, in order; the rows of the first and last pages are
 * returned for further checks.
 */
export async function assertWalksBothWays(
  client: Client,
  first: string,
  rowsOf: (html: string) => string[],
  expected: string[],
  perPage: number,
): Promise<{ firstPage: string[]; lastPage: string[] }> {
  const forward = await walkPages(client, first, 'next', rowsOf);
  assert.deepEqual(forward.flat(), expected, 'Next visits every row once, in order');
  assert.ok(
    forward.every((rows) => rows.length === perPage || rows === forward[forward.length - 1]),
    'full pages',
  );
  const start = await client.get(first);
  const last = pagerLink(start.text, 'last');
  if (expected.length <= perPage) {
    assert.equal(last, undefined, 'a list of one page has no Last link');
    return { firstPage: forward[0], lastPage: forward[0] };
  }
  assert.ok(last, 'the first page links to the last');
  const backward = await walkPages(client, last, 'prev', rowsOf);
  assert.deepEqual(backward.reverse().flat(), expected, 'Previous from the last page visits every row once');
  const lastPage = backward[backward.length - 1];
  assert.deepEqual(lastPage, expected.slice(-lastPage.length), 'the last page shows the last rows');
  assert.equal(lastPage.length, Math.min(perPage, expected.length), 'the last page is full');
  return { firstPage: forward[0], lastPage };
}
