import type { Knex } from 'knex';

export interface PlanRow {
  table: string;
  type: string;
  key: string | null;
  rows: number;
  extra: string;
}

export interface ExplainedQuery {
  sql: string;
  module: boolean;
  plan?: PlanRow[];
  /** Mean milliseconds of the query run alone (up to 20 times, or for about a second), from the benchmark process. */
  ms?: number;
}

export interface Explained {
  label: string;
  queries: ExplainedQuery[];
}

/** A cell of EXPLAIN's output as text (the driver gives strings and numbers; NULL is empty). */
function cell(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The module's queries are those on its own tables, unless the page's are told apart otherwise. */
const onModuleTables = (sql: string) => /mod_account_users_/.test(sql);

/**
 * Every query one request ran, in order; the module's SELECTs with MariaDB's EXPLAIN. `isModule`
 * tells the module's queries apart where they read only the host's tables (the staff user search).
 */
export async function explainRecorded(
  knex: Knex,
  recorded: Array<{ sql: string; bindings: unknown[] }>,
  isModule: (sql: string) => boolean = onModuleTables,
): Promise<ExplainedQuery[]> {
  const out: ExplainedQuery[] = [];
  for (const q of recorded) {
    const sql = knex.raw(q.sql, q.bindings as Knex.RawBinding[]).toQuery();
    const module = isModule(q.sql);
    if (!module || !/^\s*select/i.test(q.sql)) {
      out.push({ sql, module });
      continue;
    }
    const [rows] = (await knex.raw(`EXPLAIN ${q.sql}`, q.bindings as Knex.RawBinding[])) as [
      Array<Record<string, unknown>>,
    ];
    await knex.raw(q.sql, q.bindings as Knex.RawBinding[]);
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    let runs = 0;
    while (runs < 20 && (runs === 0 || elapsed() < 1000)) {
      await knex.raw(q.sql, q.bindings as Knex.RawBinding[]);
      runs += 1;
    }
    out.push({
      sql,
      module,
      ms: elapsed() / runs,
      plan: rows.map((r) => ({
        table: cell(r.table),
        type: cell(r.type),
        key: r.key === null || r.key === undefined ? null : cell(r.key),
        rows: Number(r.rows ?? 0),
        extra: cell(r.Extra),
      })),
    });
  }
  return out;
}
