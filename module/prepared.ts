import type { Knex } from 'knex';

/**
 * A query of one fixed shape whose SQL Knex compiles once: each run only puts its values in place.
 * Building and compiling a query with subqueries costs some 50 µs of CPU, and the guard's runs on
 * every page. `build` receives a marker for each named value; every binding that is a marker is
 * replaced by that value when the query runs (a shape may leave some unused), every other binding
 * (the schema's open statuses, a limit) stays as compiled.
 */
export function preparedQuery<K extends string>(
  knex: Knex,
  names: readonly K[],
  build: (values: Record<K, never>) => Knex.QueryBuilder,
): (values: Record<K, unknown>) => Promise<Array<Record<string, unknown>>> {
  const markers = new Map(names.map((name) => [`\u0000${name}\u0000`, name]));
  const compiled = build(
    Object.fromEntries([...markers].map(([marker, name]) => [name, marker])) as Record<K, never>,
  ).toSQL();
  // Each binding: the name of the value it takes, or the value compiled into it.
  const slots: Array<{ name: K } | { value: unknown }> = compiled.bindings.map((b) => {
    const name = typeof b === 'string' ? markers.get(b) : undefined;
    return name === undefined ? { value: b } : { name };
  });
  return async (values) => {
    const bindings = slots.map((s) => ('name' in s ? values[s.name] : s.value));
    const result: unknown = await knex.raw(compiled.sql, bindings as Knex.RawBinding[]);
    return rowsOf(result);
  };
}

/** The rows of a raw SELECT, whatever the driver answers: MySQL [rows, fields], SQLite rows. */
function rowsOf(result: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(result)) return (result as { rows?: Array<Record<string, unknown>> }).rows ?? [];
  return (Array.isArray(result[0]) ? result[0] : result) as Array<Record<string, unknown>>;
}
