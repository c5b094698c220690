import fs from 'node:fs';
import path from 'node:path';
import { comparePair, type LoadOptions, type Measured, type Side } from './compare';
import type { Invited, Peer, PeerSizes } from './index';

/** One row of the comparison: the module's side and better-auth's, per request or per invitation. */
export interface SideBySide {
  key: 'check' | 'first' | 'last' | 'invitations';
  name: string;
  unit: 'request' | 'invitation';
  module: Measured;
  peer: Measured;
}

/** The comparison with better-auth's organization plugin as the report takes it. */
export interface PeerResult {
  /** better-auth's version. */
  version: string;
  sizes: PeerSizes;
  rows: SideBySide[];
  /** Why it was not measured, or stopped. */
  error?: string;
}

/** A page under load on the module's side: its path and one session cookie per connection. */
export interface ModulePage {
  path: string;
  cookies: string[];
}

/** The module's side of the three rows: its pages, its process's counters, and its invitation run. */
export interface ModuleSides {
  base: string;
  stats: () => Promise<{ queries: number; cpuMicros: number }>;
  check: ModulePage;
  membersFirst: ModulePage;
  membersLast: ModulePage;
  /** The module's invitation create + accept for the next `count` invitees, 4 at a time. */
  invitations: (count: number) => Promise<Invited>;
}

/** The installed better-auth's version (its package does not export its package.json). */
export function peerVersion(): string {
  const file = path.join(__dirname, '..', '..', 'node_modules', 'better-auth', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Runs of one side added together: the rate over the whole time, statements and CPU per invitation over all. */
export function total(runs: Invited[]): Invited {
  const count = runs.reduce((sum, r) => sum + r.count, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const per = (pick: (r: Invited) => number | undefined) =>
    runs.reduce((sum, r) => sum + (pick(r) ?? 0) * r.count, 0) / count;
  return {
    count,
    seconds,
    perSecond: count / seconds,
    memberships: runs.reduce((sum, r) => sum + r.memberships, 0),
    queries: per((r) => r.queries),
    cpuMs: per((r) => r.cpuMs),
  };
}

/** An invitation run in the shape of a measured page: throughput in invitations a second, figures per invitation. */
const asMeasured = (label: string, r: Invited): Measured => ({
  label,
  path: '',
  rps: r.perSecond,
  p50: 0,
  p99: 0,
  queries: r.queries ?? 0,
  cpuMs: r.cpuMs ?? 0,
  requests: r.count,
  bytes: 0,
});

/**
 * The three rows, each side measured like the groups of bench/run.ts (alternating slices, bench/peer/compare.ts);
 * the lists with `listSeconds` slices, as a page reading 50,000 rows takes seconds under load. Invitations in
 * batches of `batch`, alternating module, better-auth, better-auth, module.
 */
export async function sideBySide(
  module: ModuleSides,
  peer: Peer,
  o: LoadOptions & { listSeconds: number; batch: number },
  log: (msg: string) => void,
): Promise<SideBySide[]> {
  const ours = (label: string, page: ModulePage): Side => ({ label, base: module.base, stats: module.stats, ...page });
  const theirs = (label: string, page: ModulePage): Side => ({ label, base: peer.base, stats: peer.stats, ...page });
  const rows: SideBySide[] = [];
  // Each page row: key, name, the module's label, better-auth's label, its pages, list or not.
  const pages: Array<[SideBySide['key'], string, string, string, 'check' | 'membersFirst' | 'membersLast']> = [
    [
      'check',
      'a. Membership check of a signed-in member',
      "module's guard (`requirePermission`)",
      'better-auth `getActiveMember`',
      'check',
    ],
    [
      'first',
      'b. Members of the big account, page 1',
      'User Management page 1',
      'better-auth `listMembers`, offset 0',
      'membersFirst',
    ],
    [
      'last',
      'b. Members of the big account, last page',
      'User Management last page',
      'better-auth `listMembers`, last offset',
      'membersLast',
    ],
  ];
  for (const [key, name, ourLabel, theirLabel, page] of pages) {
    const sliceSeconds = key === 'check' ? o.sliceSeconds : o.listSeconds;
    const [m, p] = await comparePair(ours(ourLabel, module[page]), theirs(theirLabel, peer[page]), {
      ...o,
      sliceSeconds,
    });
    rows.push({ key, name, unit: 'request', module: m, peer: p });
    log(
      `${name}: module/better-auth throughput ${(m.rps / p.rps).toFixed(2)}x, CPU ${(m.cpuMs / p.cpuMs).toFixed(2)}x`,
    );
  }
  const moduleRuns: Invited[] = [];
  const peerRuns: Invited[] = [];
  for (const side of ['module', 'peer', 'peer', 'module'] as const) {
    if (side === 'module') moduleRuns.push(await module.invitations(o.batch));
    else peerRuns.push(await peer.invitations(o.batch, 4));
  }
  const m = total(moduleRuns);
  const p = total(peerRuns);
  rows.push({
    key: 'invitations',
    name: 'c. Invitation create + accept, 4 at a time',
    unit: 'invitation',
    module: asMeasured('module: form, mail, invitation page, accept', m),
    peer: asMeasured('better-auth: `invite-member`, `accept-invitation`', p),
  });
  log(`invitations: module ${m.perSecond.toFixed(1)}/s, better-auth ${p.perSecond.toFixed(1)}/s`);
  return rows;
}
