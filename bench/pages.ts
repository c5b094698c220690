import type { BenchClient } from './client';

const decode = (href: string) => href.replace(/&amp;/g, '&');

/**
 * The address of a list's last page: the pager's link marked `data-pager="last"` on its first
 * page (keyset paging), or else `?page=<n>` for the page number the list's size gives.
 */
export async function lastPage(client: BenchClient, first: string, rows: number, perPage: number): Promise<string> {
  const page = await client.get(first);
  if (page.status !== 200) throw new Error(`${first} answered ${page.status}`);
  for (const link of page.text.matchAll(/<a\b[^>]*>/g)) {
    if (!/\bdata-pager="last"/.test(link[0])) continue;
    const href = /\bhref="([^"]+)"/.exec(link[0])?.[1];
    if (!href) continue;
    const url = new URL(decode(href), `http://x${first}`);
    return url.pathname + url.search;
  }
  const n = Math.max(1, Math.ceil(rows / perPage));
  return `${first}${first.includes('?') ? '&' : '?'}page=${n}`;
}
