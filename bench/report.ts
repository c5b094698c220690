import type { Sizes } from './data';
import type { Explained } from './explain';

export interface Row {
  label: string;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  queries: number;
  requests: number;
}

interface ReportInput {
  smoke: boolean;
  sizes: Sizes;
  generateSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; mariadb: string; platform: string };
  duration: number;
  connections: number;
  rows: Row[];
  usersPage: boolean;
  explained: Explained[];
  invites: { perSecond: number; count: number; seconds: number; memberships: number } | string;
  memory: Array<{ second: number; rss: number; heapUsed: number }>;
  memorySeconds: number;
}

const n = (v: number, digits = 0) => v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => `${n(bytes / 1024 / 1024, 1)} MB`;
const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').replace(/`/g, '').slice(0, 400);

/** The Markdown of docs/benchmarks.md: the machine, the table, the targets, EXPLAIN, memory. */
export function renderReport(r: ReportInput): string {
  const by = (prefix: string) => r.rows.filter((row) => row.label.startsWith(prefix));
  const [off, guarded] = by('Host page');
  const [small, big] = by('User Management');
  const [two, many] = by('Switch Account');
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push(`Produced by \`${r.smoke ? 'BENCH_SMOKE=1 ' : ''}npm run bench\` (bench/run.ts); every figure below comes from that run.`, '');
  lines.push('## Machine', '');
  lines.push(`- ${r.machine.cpus} CPUs (${r.machine.cpuModel.trim()}), ${n(r.machine.memoryGb, 1)} GB memory, ${r.machine.platform}`);
  lines.push(`- Node ${r.machine.node}, MariaDB ${r.machine.mariadb} (same machine, default settings)`);
  lines.push(`- The portal (host/app.ts createApp) runs in a child process; autocannon drives it from the parent process: ${r.connections} connections, ${r.duration} s per row after a 1 s warm-up, one signed-in session per row (sessions in the database, as in production).`, '');
  lines.push('## Data', '');
  lines.push(`Database \`account_users_bench\` (created and dropped by the run), filled with batch inserts in ${n(r.generateSeconds, 1)} s: ${n(r.sizes.users)} users, ${n(r.sizes.accounts)} accounts (each with its owner membership; 1 in 100 closed), one account with ${n(r.sizes.bigAccountUsers)} users, one with 10, one user in ${n(r.sizes.agencyAccounts)} accounts, one in 2.`, '');
  lines.push('## Results', '');
  lines.push('| Page | req/s | p50 ms | p99 ms | DB queries / request |', '|---|---:|---:|---:|---:|');
  for (const row of r.rows) lines.push(`| ${row.label} (\`${row.path}\`) | ${n(row.rps)} | ${row.p50} | ${row.p99} | ${n(row.queries, 2)} |`);
  if (!r.usersPage) lines.push('', 'User Management (`/account/users`) did not answer 200 in this build: not measured.');
  lines.push('');
  if (typeof r.invites === 'string') lines.push(`Invitation create + accept: ${r.invites}.`, '');
  else {
    lines.push(
      `Invitation create + accept over HTTP (owner posts the invite form, the token is read from the mail in the outbox, the invitee posts accept; 4 at a time): ${n(r.invites.count)} in ${n(r.invites.seconds, 1)} s = **${n(r.invites.perSecond, 1)} per second**. Memberships of the invited account for those users afterwards: ${n(r.invites.memberships)} of ${n(r.invites.count)}.`,
      '',
    );
  }
  lines.push('## Targets', '');
  const target = (ok: boolean | undefined, text: string) => lines.push(`- ${ok === undefined ? 'n/a' : ok ? 'met' : '**missed**'}: ${text}`);
  if (off && guarded) {
    const ratio = guarded.rps / off.rps;
    target(ratio >= 0.9, `guarded host page keeps ${n(ratio * 100, 1)}% of the unguarded throughput (target ≥ 90%)`);
    const extra = guarded.queries - off.queries;
    target(extra <= 1.001, `the module adds ${n(extra, 2)} database queries per request (target ≤ 1; without the module the host runs its own primary-user query instead)`);
  }
  if (small && big) target(small.rps / big.rps <= 1.25, `User Management with ${n(r.sizes.bigAccountUsers)} users: ${n(small.rps / big.rps, 2)}× the cost of 10 users by throughput, p50 ${big.p50} vs ${small.p50} ms (target ≤ 1.25×)`);
  if (two && many) target(two.rps / many.rps <= 1.25, `Switch Account with ${n(r.sizes.agencyAccounts)} accounts: ${n(two.rps / many.rps, 2)}× the cost of 2 accounts by throughput, p50 ${many.p50} vs ${two.p50} ms (target ≤ 1.25×)`);
  const warm = r.memory[Math.min(1, r.memory.length - 1)];
  const last = r.memory[r.memory.length - 1];
  const peak = Math.max(...r.memory.map((s) => s.rss));
  target(last.rss - warm.rss < 0.1 * warm.rss, `app memory over ${r.memorySeconds} s under load: RSS ${mb(warm.rss)} after the first sample, ${mb(last.rss)} at the end, peak ${mb(peak)} (target: flat, < 10% growth)`);
  lines.push('');
  lines.push('## Memory (RSS of the app process during the run)', '', '| second | RSS | heap used |', '|---:|---:|---:|');
  for (const s of r.memory) lines.push(`| ${s.second} | ${mb(s.rss)} | ${mb(s.heapUsed)} |`);
  lines.push('');
  lines.push('## Queries of one request, with EXPLAIN of the module\'s', '');
  for (const e of r.explained) {
    lines.push(`### ${e.label}`, '');
    e.queries.forEach((q, i) => {
      lines.push(`${i + 1}. ${q.module ? '**module**' : 'host'}: \`${oneLine(q.sql)}\``);
      if (q.plan) {
        lines.push('', '   | table | type | key | rows | Extra |', '   |---|---|---|---:|---|');
        for (const p of q.plan) lines.push(`   | ${p.table} | ${p.type} | ${p.key ?? '—'} | ${p.rows} | ${p.extra || ''} |`);
        lines.push('');
      }
    });
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
