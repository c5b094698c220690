import type { Cast, Sizes } from './data';
import type { Explained, ExplainedQuery } from './explain';
import type { Target } from './measure';
import { peerNotes, peerSection, peerTargets } from './peer/report';
import type { PeerResult } from './peer/rows';
import type { InviteResult, RetentionResult, SoakResult } from './workloads';

export interface Row {
  label: string;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  queries: number;
  /** Milliseconds of the app process's CPU (user + system) per request. */
  cpuMs: number;
  requests: number;
  /** Requests autocannon stopped waiting for (30 s). */
  timeouts: number;
}

/**
 * A ratio of two rows of one group (by label). `cost`: what the subject costs per request over the
 * base (app CPU ms, and the base's req/s over the subject's), met at most `target`. `keeps`: what
 * the subject keeps of the base (req/s, and the base's CPU over the subject's), met at least `target`.
 * Without a target the ratio is stated only.
 */
export interface RatioDef {
  subject: string;
  base: string;
  kind: 'cost' | 'keeps';
  target?: number;
  /** Also a target: the same number of database queries per request. */
  sameQueries?: boolean;
}

/** Pages measured together in alternating slices, and what is judged of them. */
export interface Comparison {
  group: string;
  targets: Target[];
  rows: Row[];
  ratios: RatioDef[];
  /** A target on each row's median latency, in ms. */
  p50Below?: number;
  /** Why the group was not measured. */
  error?: string;
}

export interface Phase {
  name: string;
  seconds: number;
}

interface ReportInput {
  smoke: boolean;
  scale: number;
  sizes: Sizes;
  cast: Cast;
  generateSeconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    mariadb: string;
    platform: string;
    loadAverage: number[];
  };
  duration: number;
  slices: number;
  connections: number;
  groups: Comparison[];
  explained: Explained[];
  invites: InviteResult;
  /** The comparison with better-auth's organization plugin; absent with BENCH_PEER=0. */
  peer?: PeerResult;
  retention: RetentionResult;
  soak: SoakResult;
  phases: Phase[];
  totalSeconds: number;
}

const n = (v: number, digits = 0) =>
  v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => `${n(bytes / 1024 / 1024, 1)} MB`;
const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').replace(/`/g, '').slice(0, 800);
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'stated' : ok ? 'met' : '**missed**');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Judged {
  def: RatioDef;
  subject: Row;
  base: Row;
  cpu: number;
  rps: number;
  cpuMet?: boolean;
  rpsMet?: boolean;
  queriesMet?: boolean;
}

function judge(group: Comparison): Judged[] {
  const row = (label: string) => group.rows.find((r) => r.label === label);
  const out: Judged[] = [];
  for (const def of group.ratios) {
    const subject = row(def.subject);
    const base = row(def.base);
    if (!subject || !base) continue;
    const cost = def.kind === 'cost';
    const cpu = cost ? subject.cpuMs / base.cpuMs : base.cpuMs / subject.cpuMs;
    const rps = cost ? base.rps / subject.rps : subject.rps / base.rps;
    const meets = (v: number) => (def.target === undefined ? undefined : cost ? v <= def.target : v >= def.target);
    out.push({
      def,
      subject,
      base,
      cpu,
      rps,
      cpuMet: meets(cpu),
      rpsMet: meets(rps),
      queriesMet: def.sameQueries ? Math.abs(subject.queries - base.queries) < 0.05 : undefined,
    });
  }
  return out;
}

function ratioText(j: Judged): string {
  const target =
    j.def.target === undefined ? 'no target' : `target ${j.def.kind === 'cost' ? '≤' : '≥'} ${n(j.def.target, 2)}×`;
  const what = j.def.kind === 'cost' ? 'costs' : 'keeps';
  return (
    `${j.def.subject} ${what} ${n(j.cpu, 2)}× of ${j.def.base} by app CPU per request (${verdict(j.cpuMet)}) ` +
    `and ${n(j.rps, 2)}× by throughput (${verdict(j.rpsMet)}); ${target}; ` +
    `p50 ${j.subject.p50} vs ${j.base.p50} ms`
  );
}

/** Growth of a series: the median of the window after the warm-up against the median of the last window. */
export function growth(soak: SoakResult, key: 'rss' | 'heapUsed') {
  const end = soak.samples[soak.samples.length - 1].second;
  const early = soak.samples.filter(
    (s) => s.second >= soak.warmupSeconds && s.second < soak.warmupSeconds + soak.windowSeconds,
  );
  const late = soak.samples.filter((s) => s.second > end - soak.windowSeconds);
  const from = median((early.length ? early : soak.samples).map((s) => s[key]));
  const to = median(late.map((s) => s[key]));
  return { from, to, growth: (to - from) / from };
}

/** The Markdown of docs/benchmarks.md, from the run's figures only. */
export function renderReport(r: ReportInput): string {
  const lines: string[] = [];
  const judged = r.groups.map((g) => ({ group: g, ratios: judge(g) }));
  const explainedOf = (label: string) => r.explained.find((e) => e.label === label);
  lines.push('# Benchmarks', '');
  lines.push(
    `Produced by \`${r.smoke ? 'BENCH_SMOKE=1 ' : r.scale !== 1 ? `BENCH_SCALE=${r.scale} ` : ''}npm run bench\` ` +
      '(bench/run.ts); every figure below comes from that run.',
    '',
  );
  lines.push('## Machine', '');
  lines.push(
    `- ${r.machine.cpus} CPUs (${r.machine.cpuModel.trim()}), ` +
      `${n(r.machine.memoryGb, 1)} GB memory, ${r.machine.platform}`,
    `- Node ${r.machine.node}, MariaDB ${r.machine.mariadb} ` +
      '(same machine, default settings: innodb_flush_log_at_trx_commit=1, 128 MB buffer pool)',
    `- Load average when the run started: ${r.machine.loadAverage.map((v) => n(v, 2)).join(', ')} ` +
      '(the alternating slices make bursts of other work fall on all rows of a group alike, and app CPU per ' +
      'request is the figure least moved by it)',
    '- The portal (host/app.ts createApp) runs in a child process; autocannon drives it from the parent process ' +
      `with ${r.connections} connections, each its own signed-in session (sessions in the database, ` +
      `as in production). Each row is ${r.duration} s of load after a 1 s warm-up, ` +
      `taken in ${r.slices} slices in turn with the other rows of its group (A B C, C B A, …).`,
    '',
  );
  lines.push('## Data', '');
  const s = r.sizes;
  lines.push(
    'Database `account_users_bench` (created and dropped by the run), filled with `INSERT … SELECT` from ' +
      `MariaDB's sequence engine in ${n(r.generateSeconds, 1)} s (indexes of the two largest tables built after ` +
      `their rows; ANALYZE TABLE at the end): ${n(s.users)} users, ${n(s.accounts)} accounts (each owned by ` +
      `one user; 1 in 100 closed), one account with ${n(s.bigAccountUsers)} users, one with 50, one with 10, ` +
      `one user in ${n(s.agencyAccounts)} accounts, one in 20, one in 2, ${n(s.invites)} invitees, ` +
      `an activity log of ${n(s.logRows ?? 0)} rows over about three years ` +
      `(${n(r.cast.logRowsOf[r.cast.bigAccount])} of them the big account's, exactly ` +
      `${n(r.cast.logRowsOf[r.cast.logAccount])} another account's), and one staff member.`,
    '',
  );
  lines.push('## Run', '');
  lines.push('| Phase | seconds |', '|---|---:|');
  for (const p of r.phases) lines.push(`| ${p.name} | ${n(p.seconds, 1)} |`);
  lines.push(`| **whole run** | **${n(r.totalSeconds, 1)}** |`, '');

  lines.push('## Results', '');
  for (const { group } of judged) {
    lines.push(`### ${group.group}`, '');
    if (group.error) lines.push(`**Not measured**: \`${group.error}\``, '');
    lines.push(
      '| Page | req/s | p50 ms | p99 ms | DB queries / request | app CPU ms / request | requests |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const row of group.rows)
      lines.push(
        `| ${row.label} (\`${row.path}\`) | ${n(row.rps, row.rps < 10 ? 1 : 0)} | ${row.p50} | ${row.p99} ` +
          `| ${n(row.queries, 2)} | ${n(row.cpuMs, 2)} | ${n(row.requests)}` +
          `${row.timeouts ? ` (${n(row.timeouts)} timed out)` : ''} |`,
      );
    lines.push('');
  }

  lines.push('## Targets', '');
  const target = (ok: boolean | undefined, text: string) => lines.push(`- ${verdict(ok)}: ${text}`);
  for (const { group, ratios } of judged) {
    for (const j of ratios) {
      const both = j.cpuMet === undefined ? undefined : Boolean(j.cpuMet && j.rpsMet);
      target(both, ratioText(j));
      if (j.queriesMet !== undefined)
        target(
          j.queriesMet,
          `${j.def.subject} makes ${n(j.subject.queries, 2)} database queries per request, ` +
            `${j.def.base} ${n(j.base.queries, 2)} (target: the same)`,
        );
    }
    if (group.p50Below !== undefined)
      for (const row of group.rows)
        target(row.p50 < group.p50Below, `${row.label}: p50 ${row.p50} ms (target < ${group.p50Below} ms)`);
  }
  for (const t of peerTargets(r.peer)) target(t.met, t.text);
  target(
    r.invites.perSecond >= INVITES_TARGET,
    `invitation create + accept, 4 at a time: ${n(r.invites.perSecond, 1)} per second (target ≥ ${INVITES_TARGET})`,
  );
  const ret = r.retention;
  target(
    ret.page.during.p99 <= Math.max(ret.page.without.p99 * 1.5, ret.page.without.p99 + 20),
    `retention at ${ret.retentionDays} days: p99 of ${ret.page.label} ${ret.page.without.p99} ms without the pass, ` +
      `${ret.page.during.p99} ms during it (target: at most 1.5× or +20 ms); a delete statement holds its rows ` +
      `${n(ret.deleteMs.p50, 1)} ms (p99 ${n(ret.deleteMs.p99, 1)}, max ${n(ret.deleteMs.max, 1)})`,
  );
  const rss = growth(r.soak, 'rss');
  target(
    rss.growth < 0.1,
    `soak of ${r.soak.seconds} s: RSS ${mb(rss.from)} → ${mb(rss.to)} ` +
      `(${n(rss.growth * 100, 1)}% growth; target < 10%)`,
  );
  lines.push('');

  lines.push('## Retention', '');
  lines.push(
    `\`logRetentionDays\` switched from 0 to ${ret.retentionDays} (the bench server's /__bench/settings), then the ` +
      "module's periodic pass (`sweep()`, through /__bench/sweep) run back to back for " +
      `${n(ret.seconds, 1)} s while ${r.connections} connections loaded ${ret.page.label} (\`${ret.page.path}\`), ` +
      'and the same load as long without it. Each log statement of a pass is timed in the portal process.',
    '',
    '| | |',
    '|---|---:|',
    `| rows older than ${ret.retentionDays} days before the run | ${n(ret.oldRowsBefore)} |`,
    `| passes | ${n(ret.passes)} |`,
    `| rows deleted | ${n(ret.deleted)} (${n(ret.passes ? ret.deleted / ret.passes : 0)} per pass) |`,
    `| ms per pass (p50 / max) | ${n(ret.passMs.p50, 1)} / ${n(ret.passMs.max, 1)} |`,
    `| rows per delete statement | ${n(ret.rowsPerDelete)} |`,
    `| ms per delete statement (p50 / p99 / max) | ${n(ret.deleteMs.p50, 1)} / ${n(ret.deleteMs.p99, 1)} / ` +
      `${n(ret.deleteMs.max, 1)} |`,
    `| ms per select of the batch's ids (p50 / max) | ${n(ret.selectMs.p50, 1)} / ${n(ret.selectMs.max, 1)} |`,
    `| page p50 / p99 without the pass | ${ret.page.without.p50} / ${ret.page.without.p99} ms |`,
    `| page p50 / p99 during the passes | ${ret.page.during.p50} / ${ret.page.during.p99} ms |`,
    '',
  );
  if (ret.passes && ret.deleted) {
    const perPass = ret.deleted / ret.passes;
    lines.push(
      `At ${n(perPass)} rows a pass, every five minutes, the ${n(ret.oldRowsBefore)} old rows take ` +
        `${n(ret.oldRowsBefore / perPass / 12, 1)} hours of passes to go the first time the setting is lowered.`,
      '',
    );
  }

  lines.push('## Invitations', '');
  const inv = r.invites;
  lines.push(
    'Invitation create + accept over HTTP (owner posts the invite form, the token is read from the mail ' +
      'in the outbox, the invitee opens the invitation page and posts accept; 4 at a time): ' +
      `${n(inv.count)} in ${n(inv.seconds, 1)} s = **${n(inv.perSecond, 1)} per second**. ` +
      `Memberships afterwards: ${n(inv.memberships)} of ${n(inv.count)}. Mean ms of each step as the client saw it: ` +
      `create POST ${n(inv.createMs, 1)}, reading the mail ${n(inv.mailMs, 1)}, invitation page GET ` +
      `${n(inv.pageMs, 1)}, accept POST ${n(inv.acceptMs, 1)}.` +
      (inv.queries === undefined
        ? ''
        : ` Per invitation: ${n(inv.queries, 1)} statements and ${n(inv.cpuMs ?? 0, 1)} ms of the portal's CPU.`),
    '',
  );

  if (r.peer) lines.push(...peerSection(r.peer, r.connections, r.slices));

  lines.push('## Soak', '');
  const so = r.soak;
  const heap = growth(so, 'heapUsed');
  lines.push(
    `${so.seconds} s of mixed load: ${r.connections} connections shared among ` +
      `${so.pages.paths.map((p) => `\`${p}\``).join(', ')} ` +
      `(${n(so.pages.requests)} requests, ${n(so.pages.non2xx)} not 2xx, ${n(so.pages.errors)} errors), ` +
      `one user switching between two accounts (${n(so.switches)} switches), and invitations sent and accepted ` +
      `one after another (${n(so.invites)} sent, ${n(so.accepts)} accepted). ` +
      `Growth is the median of the samples in the last ${so.windowSeconds} s against the median of those in the ` +
      `${so.windowSeconds} s after a ${so.warmupSeconds} s warm-up (medians, as RSS moves with each garbage ` +
      `collection): RSS ${n(rss.growth * 100, 1)}%, heap used ${n(heap.growth * 100, 1)}%.`,
    '',
  );
  if (so.failures.length) lines.push(`Failures: ${so.failures.map((f) => `\`${f}\``).join('; ')}.`, '');
  lines.push('| second | RSS | heap used |', '|---:|---:|---:|');
  for (const sample of so.samples) lines.push(`| ${sample.second} | ${mb(sample.rss)} | ${mb(sample.heapUsed)} |`);
  lines.push('');

  lines.push(...notes(judged, explainedOf, peerNotes(r.peer), r.invites));

  lines.push("## Queries of one request, with EXPLAIN of the module's", '');
  for (const e of r.explained) {
    lines.push(`### ${e.label}`, '');
    e.queries.forEach((q, i) => {
      lines.push(
        `${i + 1}. ${q.module ? '**module**' : 'host'}: \`${oneLine(q.sql)}\`` +
          (q.ms === undefined ? '' : ` — ${n(q.ms, 2)} ms alone`),
      );
      if (q.plan) {
        lines.push('', '   | table | type | key | rows | Extra |', '   |---|---|---|---:|---|');
        for (const p of q.plan)
          lines.push(`   | ${p.table} | ${p.type} | ${p.key ?? '—'} | ${p.rows} | ${p.extra || ''} |`);
        lines.push('');
      }
    });
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** The guarded host page against the same page without the module, when it keeps less than its target. */
function guardNote(j: Judged): string {
  return (
    `- **${j.def.subject} (missed: ${n(j.cpu, 2)}× CPU, ${n(j.rps, 2)}× throughput).** Both make the same ` +
    `${n(j.subject.queries, 2)} queries a request, so the difference is the app's own work: ` +
    `${n(j.subject.cpuMs, 2)} against ${n(j.base.cpuMs, 2)} ms of CPU a request ` +
    `(${n((j.subject.cpuMs - j.base.cpuMs) * 1000, 0)} µs). Without the module the portal reads its primary ` +
    'user with one primary-key lookup; with it, the guard reads the membership with its account, permissions, ' +
    'end date and chosen items and, for the account menu, three subqueries (another open account, invitations ' +
    'waiting for the address, open ownership offers), decodes them, and the layout renders the account menu ' +
    'with the Switch Account item and the counts. The membership query alone is listed with its plan below.'
  );
}

/** Invitations created and accepted per second, 4 at a time, that the module aims for on this machine. */
const INVITES_TARGET = 150;

/** The slowest of the module's queries of a page, as measured alone. */
function slowest(queries: ExplainedQuery[] | undefined): ExplainedQuery | undefined {
  return (queries ?? []).filter((q) => q.ms !== undefined).sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0))[0];
}

/** What the slowest query's text and plan show, where it is one of the known shapes of a slow query. */
function causeOf(q: ExplainedQuery | undefined): string | undefined {
  if (!q) return undefined;
  const causes: string[] = [];
  const offset = Number(/\boffset\s+(\d+)/i.exec(q.sql)?.[1] ?? 0);
  if (offset >= 1000)
    causes.push(
      `the page is read with OFFSET ${n(offset)}: MariaDB walks and throws away that many entries before the page`,
    );
  if (/like\s+'%/i.test(q.sql)) causes.push("the search is a substring test (LIKE '%…%'), which no index can serve");
  for (const p of q.plan ?? [])
    if ((p.type === 'ALL' || p.type === 'index') && p.rows >= 10_000)
      causes.push(
        `the plan reads about ${n(p.rows)} rows of ${p.table} ` +
          `(${p.type === 'ALL' ? 'the whole table' : 'a whole index'})`,
      );
  return causes.length ? causes.join('; ') : undefined;
}

/**
 * What the figures mean. For each missed target: what the run measured of the page (its slowest
 * query alone, its plan, and the cause where the plan shows a known one); otherwise a TODO.
 */
function notes(
  judged: Array<{ group: Comparison; ratios: Judged[] }>,
  explainedOf: (label: string) => Explained | undefined,
  peer: string[],
  invites: InviteResult,
): string[] {
  const out = ['## Notes', ''];
  out.push(
    '- **The limit rows** serve the host page (`/services`: the same EJS view, layout and rows) from a second ' +
      'Express app in the portal process (bench/limit.ts): without session or database, then with only the ' +
      "portal's database session (express-session and the portal's store: one SELECT and one UPDATE a request). " +
      'What the portal adds on top of that is its own middleware (helmet, passport, the module registry, CSRF) ' +
      'and its queries.',
  );
  const missed = (label: string, headline: string) => {
    const q = slowest(explainedOf(label)?.queries);
    const measured = q
      ? ` Its slowest query alone took ${n(q.ms ?? 0, 2)} ms: \`${oneLine(q.sql).slice(0, 200)}\`` +
        (q.plan
          ? ` (plan: ${q.plan.map((p) => `${p.table} ${p.type} ${p.key ?? '—'} ${p.rows} rows`).join('; ')})`
          : '') +
        '.'
      : '';
    const cause = causeOf(q);
    out.push(
      `- **${label} (missed: ${headline}).**${measured} ` +
        (cause
          ? `Cause: ${cause}.`
          : 'The plan shows no known slow shape (no OFFSET, no substring test, no whole-table read); ' +
            'compare the app CPU and the queries per request of the two rows above.'),
    );
  };
  for (const { group, ratios } of judged) {
    for (const j of ratios)
      if (j.def.sameQueries && j.queriesMet && (j.cpuMet === false || j.rpsMet === false)) out.push(guardNote(j));
      else if (j.cpuMet === false || j.rpsMet === false || j.queriesMet === false)
        missed(j.def.subject, `${n(j.cpu, 2)}× CPU, ${n(j.rps, 2)}× throughput`);
    if (group.p50Below !== undefined)
      for (const row of group.rows) if (row.p50 >= group.p50Below) missed(row.label, `p50 ${row.p50} ms`);
  }
  out.push(...peer);
  if (invites.perSecond < INVITES_TARGET)
    out.push(
      `- **Invitations (missed: ${n(invites.perSecond, 1)} per second against ${INVITES_TARGET}).** Where the time ` +
        `goes, per invitation as the client saw it (4 at a time): create POST ${n(invites.createMs, 1)} ms, ` +
        `reading the mail ${n(invites.mailMs, 1)} ms, invitation page GET ${n(invites.pageMs, 1)} ms, accept POST ` +
        `${n(invites.acceptMs, 1)} ms` +
        (invites.queries === undefined
          ? '. '
          : `; ${n(invites.queries, 1)} statements and ${n(invites.cpuMs ?? 0, 1)} ms of the portal's CPU, so the ` +
            `portal alone, with both cores to itself, could not pass ${n(2000 / (invites.cpuMs || 1), 0)} per ` +
            'second; MariaDB and the load generator share those cores. ') +
        'Three requests, each with its session read and rolling session write, and four commits (the ' +
        'invitation with its log entry and claimed mail; the mail to the outbox; the acceptance with its ' +
        'membership, log entry and last sign-in; the owner’s notice) each wait for the disk ' +
        '(innodb_flush_log_at_trx_commit=1). At this scale the log and users tables no longer fit the ' +
        '128 MB buffer pool, so the inserts into the log’s three secondary indexes also read pages from disk.',
    );
  out.push(
    '- **Memory.** An earlier run showed the app process at about 960 MB RSS: every date and amount on a page ' +
      'built a new `Intl.DateTimeFormat` / `Intl.NumberFormat`, whose native ICU memory the process keeps. ' +
      'Formatters are kept, one per locale and time zone (`intl()` in module/i18n.ts).',
    '',
  );
  return out;
}
