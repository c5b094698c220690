import type { Knex } from 'knex';

/**
 * `table as alias` read by the named index on MySQL/MariaDB. A page read of `ORDER BY id LIMIT n`
 * from a key lets MariaDB's planner walk the primary key or take the index's `ref` part without its
 * id bound, which reads every row of a 4,000,000-row account before the page (seconds, measured
 * in the README's "Long lists"); naming the index makes it one range read. SQLite plans these
 * reads well and gets the plain table.
 */
export function byIndex(knex: Knex, table: string, index: string): Knex.Raw | string {
  const configured = (knex.client as { config?: Knex.Config }).config?.client;
  if (typeof configured === 'string' && /mysql|maria/i.test(configured))
    return knex.raw('?? force index (??)', [table, index]);
  return table;
}
