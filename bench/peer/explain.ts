import mysql from 'mysql2/promise';

/** One recorded statement: its text, each SELECT's plan (table, access type, key, rows) and its time run alone. */
export interface PlannedQuery {
  sql: string;
  plan: string[];
  ms?: number;
}

/**
 * EXPLAIN for every SELECT a request ran, on either side (both drivers send `?` placeholders), and
 * its mean time over 10 runs alone: where one side's page is cheaper, this shows which query differs.
 */
export async function planAll(
  uri: string,
  recorded: Array<{ sql: string; bindings: unknown[] }>,
): Promise<PlannedQuery[]> {
  const conn = await mysql.createConnection({ uri, timezone: 'Z' });
  const out: PlannedQuery[] = [];
  try {
    for (const q of recorded) {
      const sql = q.sql.replace(/\s+/g, ' ').replace(/`/g, '');
      if (!/^\s*select/i.test(q.sql)) {
        out.push({ sql, plan: [] });
        continue;
      }
      const [rows] = await conn.query(`EXPLAIN ${q.sql}`, q.bindings);
      const started = process.hrtime.bigint();
      for (let i = 0; i < 10; i += 1) await conn.query(q.sql, q.bindings);
      out.push({
        sql,
        ms: Number(process.hrtime.bigint() - started) / 1e6 / 10,
        plan: (rows as Array<Record<string, unknown>>).map(
          (r) =>
            `${String(r.table)} ${String(r.type)} key=${String(r.key)} rows=${String(r.rows)} ` +
            (typeof r.Extra === 'string' ? r.Extra : ''),
        ),
      });
    }
  } finally {
    await conn.end();
  }
  return out;
}

export function describePlans(label: string, queries: PlannedQuery[]): string {
  const lines = [`${label}: ${queries.length} statements`];
  for (const q of queries) {
    lines.push(`  ${q.ms === undefined ? '' : `${q.ms.toFixed(2)} ms  `}${q.sql.slice(0, 400)}`);
    for (const p of q.plan) lines.push(`      ${p}`);
  }
  return lines.join('\n');
}
