import type { Knex } from 'knex';

/**
 * How many rows a long list shows at the top, counted up to a cap: counting every one of 50,000
 * members or 10,000 memberships costs each request in proportion to the list (measured in the
 * README's "Long lists"), while counting up to the cap costs at most the cap's index entries.
 */
export const LIST_COUNT_CAP = 1000;

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
