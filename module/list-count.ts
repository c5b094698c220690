import type { Knex } from 'knex';

/**
 * How many rows a long list shows at the top, counted up to a cap: counting every one of 50,000
 * members or 10,000 memberships costs each request in proportion to the list (5 and 15 ms on
 * MariaDB, see the README's "Long lists"), counting up to the cap at most the cap's index entries.
 * 200 keeps the chooser's count (whose end-date test reads each membership row) within 0.2 ms of
 * a 20-account user's; a cap of 1,000 cost 0.7 ms more.
 */
export const LIST_COUNT_CAP = 200;

/** A list's size: exact when `more` is false, else "more than `count`". */
export interface ListCount {
  count: number;
  more: boolean;
}

/** Counts the rows of `rows` (a query without columns, order or limit) up to `cap`. */
export async function countUpTo(knex: Knex, rows: Knex.QueryBuilder, cap = LIST_COUNT_CAP): Promise<ListCount> {
  const inner = rows
    .clear('select')
    .select(knex.raw('1'))
    .limit(cap + 1)
    .as('capped');
  const row = (await knex.count({ n: '*' }).from(inner).first()) as { n: number | string } | undefined;
  const n = Number(row?.n ?? 0);
  return n > cap ? { count: cap, more: true } : { count: n, more: false };
}
