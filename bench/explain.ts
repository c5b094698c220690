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
  /** Mean milliseconds of the query run alone, 20 times, from the benchmark process. */
  ms?: number;
}

export interface Explained {
  label: string;
  queries: ExplainedQuery[];
}

/** Every query one request ran, in order; the module's SELECTs with MariaDB's EXPLAIN. */
/** A cell of EXPLAIN's output as text (the driver gives strings and numbers; NULL is empty). */
function cell(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export async function explainRecorded(
  knex: Knex,
  recorded: Array<{ sql: string; bindings: unknown[] }>,
): Promise<ExplainedQuery[]> {
  const out: ExplainedQuery[] = [];
  for (const q of recorded) {
    const sql = knex.raw(q.sql, q.bindings as Knex.RawBinding[]).toQuery();
    const module = /mod_account_users_/.test(q.sql);
    if (!module || !/^\s*select/i.test(q.sql)) {
      out.push({ sql, module });
      continue;
    }
    const [rows] = (await knex.raw(`EXPLAIN ${q.sql}`, q.bindings as Knex.RawBinding[])) as [
      Array<Record<string, unknown>>,
    ];
    await knex.raw(q.sql, q.bindings as Knex.RawBinding[]);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20; i += 1) await knex.raw(q.sql, q.bindings as Knex.RawBinding[]);
    out.push({
      sql,
      module,
      ms: Number(process.hrtime.bigint() - started) / 1e6 / 20,
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
