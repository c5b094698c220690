import type { Measured } from './compare';
import type { PeerResult, SideBySide } from './rows';

const n = (v: number, digits = 0) =>
  v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const kb = (bytes: number) => (!bytes ? '—' : bytes < 1024 ? `${n(bytes)} B` : `${n(bytes / 1024, 1)} KB`);

/** The module is ahead when it serves more a second and uses no more app CPU for each. */
export function judgePeerRow(row: SideBySide) {
  const rps = row.module.rps / row.peer.rps;
  const cpu = row.module.cpuMs / row.peer.cpuMs;
  return { rps, cpu, met: rps >= 1 && cpu <= 1 };
}

const verdict = (met: boolean) => (met ? 'met' : '**missed**');

/** Why each side costs what it does, in words; the figures come from the run. */
const WHY: Record<SideBySide['key'], string | ((row: SideBySide) => string)> = {
  check:
    "Both read the session and its user by key and one membership row. The module's last statement is the " +
    "portal's rolling session writing its new expiry, a commit on every request, which waits on MariaDB's log " +
    'flush (innodb_flush_log_at_trx_commit=1) when the disk is busy; better-auth only reads (it writes a session ' +
    'once a day, `updateAge`).',
  first:
    "The module answers a whole HTML page in the portal's layout (EJS): the session, the user, the guard, the " +
    "count, the owner's row, the page of members, the ownership offer, the invitations panel, the layout's " +
    "services and domains, the session's expiry. better-auth answers JSON: the session, the user, its membership " +
    "check, the user again, the page, the count, the page's users by `IN`.",
  last: (row) =>
    'Beside the page itself as on page 1, each side reaches the last members of the big account: better-auth ' +
    'with OFFSET along `member_organizationId_idx` and a row lookup for each member skipped; the module ' +
    (/[?&]page=/.test(row.module.path)
      ? 'with OFFSET too (its pager numbers the pages).'
      : "with its pager's last link (keyset: the last members read from the end, nothing skipped)."),
  invitations:
    'Per invitation the module makes three requests (the form, the invitation page the mail links to, accept) ' +
    'and better-auth two (`invite-member`, `accept-invitation`). The module commits the invitation with its log ' +
    "entry and queued mail, the mail to the outbox, the acceptance with its log entry, the owner's notice mail and " +
    "the sessions' writes, and locks the owner row to check the hourly limit; better-auth the invitation (its mail " +
    "to an outbox table too), its status, the member and the session's active organization.",
};

const side = (m: Measured, unit: string) =>
  `${n(m.queries, 1)} statements and ${n(m.cpuMs, 2)} ms app CPU per ${unit}` +
  (m.bytes ? `, ${kb(m.bytes)} an answer` : '');

const why = (row: SideBySide) => {
  const text = WHY[row.key];
  return typeof text === 'function' ? text(row) : text;
};

/** The report's section: both sides of each row and the ratios. */
export function peerSection(r: PeerResult, connections: number, slices: number): string[] {
  const s = r.sizes;
  const lines = ["## Side by side with better-auth's organization plugin", ''];
  lines.push(
    `better-auth ${r.version} with its organization plugin (bench/peer: its own schema from its migrations, ` +
      'sessions in the database, rate limit and telemetry off, a pool of 10 connections as the portal has) ' +
      `on the same MariaDB, in its own database, built after the module's rows above were measured: ` +
      `${n(s.users)} users, ` +
      `${n(s.organizations)} organizations, one with ${n(s.bigOrganizationMembers)} members (its owner ` +
      "included, as the module's big account). Pages are measured like the groups above " +
      `(${connections} connections, each its own session; ${slices} slices alternating the two sides); ` +
      `invitations in four batches of ${n(s.invites / 2)} (module, better-auth, better-auth, module). Ratios are ` +
      "the module's against better-auth's; the target is the module ahead: at least as many a second, " +
      'no more app CPU for each.',
    '',
  );
  if (r.error) lines.push(`**Not measured**: \`${r.error}\``, '');
  if (!r.rows.length) return lines;
  lines.push(
    '| Row | module / s | better-auth / s | throughput ratio | module CPU ms | better-auth CPU ms | CPU ratio ' +
      '| statements, module / better-auth | bytes, module / better-auth | module ahead |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const row of r.rows) {
    const j = judgePeerRow(row);
    lines.push(
      `| ${row.name} (per ${row.unit}) | ${n(row.module.rps, 1)} | ${n(row.peer.rps, 1)} | ${n(j.rps, 2)}× ` +
        `| ${n(row.module.cpuMs, 2)} | ${n(row.peer.cpuMs, 2)} | ${n(j.cpu, 2)}× ` +
        `| ${n(row.module.queries, 1)} / ${n(row.peer.queries, 1)} | ${kb(row.module.bytes)} / ${kb(row.peer.bytes)} ` +
        `| ${verdict(j.met)} |`,
    );
  }
  lines.push('');
  for (const row of r.rows)
    if (row.unit === 'request')
      lines.push(
        `- ${row.name}: ${row.module.label} \`${row.module.path}\`, p50 ${row.module.p50} ms, p99 ` +
          `${row.module.p99} ms; ${row.peer.label} \`${row.peer.path}\`, p50 ${row.peer.p50} ms, ` +
          `p99 ${row.peer.p99} ms.`,
      );
  lines.push('');
  return lines;
}

/** One line each for the report's list of targets. */
export function peerTargets(r: PeerResult | undefined): Array<{ met: boolean; text: string }> {
  return (r?.rows ?? []).map((row) => {
    const j = judgePeerRow(row);
    return {
      met: j.met,
      text:
        `${row.name}, module ahead of better-auth: ${n(j.rps, 2)}× its throughput, ${n(j.cpu, 2)}× its app CPU ` +
        `per ${row.unit} (target ≥ 1× and ≤ 1×)`,
    };
  });
}

/** For each row the module is not ahead in: what the run measured on each side, and why each side costs that. */
export function peerNotes(r: PeerResult | undefined): string[] {
  const out: string[] = [];
  for (const row of r?.rows ?? []) {
    const j = judgePeerRow(row);
    if (j.met) continue;
    out.push(
      `- **${row.name} against better-auth (missed: ${n(j.rps, 2)}× throughput, ${n(j.cpu, 2)}× CPU).** ` +
        `Measured: the module ${side(row.module, row.unit)}; better-auth ${side(row.peer, row.unit)}. ` +
        why(row),
    );
  }
  return out;
}
