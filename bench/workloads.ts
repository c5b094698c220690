import type { Knex } from 'knex';
import { BenchClient } from './client';
import { email } from './data';
import { median, percentile, type Portal } from './measure';

export interface InviteResult {
  perSecond: number;
  count: number;
  seconds: number;
  memberships: number;
  /** Mean milliseconds of each step, as the client saw them (4 at a time). */
  createMs: number;
  mailMs: number;
  pageMs: number;
  acceptMs: number;
  /** Statements and milliseconds of the portal's CPU per invitation, when the run was given its counters. */
  queries?: number;
  cpuMs?: number;
}

export interface RetentionResult {
  retentionDays: number;
  oldRowsBefore: number;
  seconds: number;
  passes: number;
  deleted: number;
  passMs: { p50: number; max: number };
  deleteMs: { p50: number; p99: number; max: number };
  selectMs: { p50: number; max: number };
  rowsPerDelete: number;
  /** The concurrent page, without and during the passes. */
  page: { label: string; path: string; without: { p50: number; p99: number }; during: { p50: number; p99: number } };
}

export interface SoakResult {
  seconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  samples: Array<{ second: number; rss: number; heapUsed: number }>;
  pages: { requests: number; non2xx: number; errors: number; paths: string[] };
  switches: number;
  invites: number;
  accepts: number;
  failures: string[];
}

export type SignIn = (userId: number) => Promise<BenchClient>;

/** Waits for the e-mail of the newest invitation to `address` in the portal's outbox and returns its token. */
async function tokenFor(knex: Knex, address: string): Promise<string> {
  const mail = await knex('outbox')
    .where('to_address', address)
    .orderBy('id', 'desc')
    .first<{ text: string } | undefined>('text');
  const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error(`no invitation mail for ${address}`);
  return token;
}

/** One invitation: the owner posts the form, the invitee opens the mail's page and accepts. Milliseconds of each. */
async function inviteAndAccept(knex: Knex, owner: BenchClient, invitee: BenchClient, address: string) {
  const times = { createMs: 0, mailMs: 0, pageMs: 0, acceptMs: 0 };
  let t = Date.now();
  const made = await owner.post('/account/users/invite', { email: address, access: 'all' });
  if (made.status !== 303) throw new Error(`invite ${address} answered ${made.status}`);
  times.createMs = Date.now() - t;
  t = Date.now();
  const token = await tokenFor(knex, address);
  times.mailMs = Date.now() - t;
  t = Date.now();
  // The invitee opens the invitation page first, as from the mail: its form carries the module's token.
  await invitee.get(`/account/invite/${token}`);
  times.pageMs = Date.now() - t;
  t = Date.now();
  const accepted = await invitee.post(`/account/invite/${token}/accept`, {});
  if (accepted.status !== 303) throw new Error(`accept by ${address} answered ${accepted.status}`);
  times.acceptMs = Date.now() - t;
  return times;
}

/** Invitation create + accept over HTTP, `workers` at a time, with where the time of each went. */
export async function invitations(
  knex: Knex,
  signIn: SignIn,
  ownerId: number,
  accountId: number,
  inviteeIds: number[],
  stats?: () => Promise<{ queries: number; cpuMicros: number }>,
): Promise<InviteResult> {
  const owner = await signIn(ownerId);
  await owner.get('/account/users');
  const invitees: BenchClient[] = [];
  for (const id of inviteeIds) invitees.push(await signIn(id));
  const times: Array<Awaited<ReturnType<typeof inviteAndAccept>>> = [];
  let next = 0;
  const before = await stats?.();
  const started = Date.now();
  const worker = async () => {
    while (next < invitees.length) {
      const k = next++;
      times.push(await inviteAndAccept(knex, owner, invitees[k], email(inviteeIds[k])));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const seconds = (Date.now() - started) / 1000;
  const after = await stats?.();
  const row = (await knex('mod_account_users_members')
    .where('account_id', accountId)
    .whereIn('user_id', inviteeIds)
    .count({ n: '*' })
    .first()) as { n: number | string };
  const mean = (key: keyof (typeof times)[number]) => times.reduce((s, x) => s + x[key], 0) / times.length;
  return {
    perSecond: invitees.length / seconds,
    count: invitees.length,
    seconds,
    memberships: Number(row.n),
    createMs: mean('createMs'),
    mailMs: mean('mailMs'),
    pageMs: mean('pageMs'),
    acceptMs: mean('acceptMs'),
    ...(before && after
      ? {
          queries: (after.queries - before.queries) / invitees.length,
          cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / invitees.length,
        }
      : {}),
  };
}

interface SweepAnswer {
  logDeleted: number;
  ms: number;
  deletes: Array<{ ms: number; rows: number }>;
  selects: Array<{ ms: number; rows: number }>;
}

/**
 * The retention at `days`: the module's periodic pass run back to back for `seconds` while a page
 * that reads the log is under load, and the same page as long again without it. Each pass deletes
 * at most its batches (module/index.ts); each delete statement is timed in the portal's process.
 */
export async function retention(
  knex: Knex,
  portal: Portal,
  days: number,
  page: { label: string; path: string; clients: BenchClient[] },
  seconds: number,
): Promise<RetentionResult> {
  await portal.api('/__bench/settings', { logRetentionDays: days });
  const cutoff = Date.now() - days * 86_400_000;
  const old = (await knex('mod_account_users_log').where('created_at', '<', cutoff).count({ n: '*' }).first()) as {
    n: number | string;
  };
  const without = await portal.load(page.path, page.clients, seconds);
  const passes: SweepAnswer[] = [];
  let loading = true;
  const started = Date.now();
  const during = portal.load(page.path, page.clients, seconds).finally(() => {
    loading = false;
  });
  while (loading) passes.push(await portal.api<SweepAnswer>('/__bench/sweep', {}));
  const loaded = await during;
  const elapsed = (Date.now() - started) / 1000;
  if (without.non2xx || loaded.non2xx) throw new Error(`${page.label}: non-2xx answers during the retention run`);
  const deletes = passes.flatMap((p) => p.deletes);
  const selects = passes.flatMap((p) => p.selects);
  const deleted = passes.reduce((s, p) => s + p.logDeleted, 0);
  return {
    retentionDays: days,
    oldRowsBefore: Number(old.n),
    seconds: elapsed,
    passes: passes.length,
    deleted,
    passMs: { p50: median(passes.map((p) => p.ms)), max: Math.max(...passes.map((p) => p.ms)) },
    deleteMs: {
      p50: median(deletes.map((d) => d.ms)) ?? 0,
      p99:
        percentile(
          deletes.map((d) => d.ms),
          99,
        ) ?? 0,
      max: Math.max(0, ...deletes.map((d) => d.ms)),
    },
    selectMs: { p50: median(selects.map((d) => d.ms)) ?? 0, max: Math.max(0, ...selects.map((d) => d.ms)) },
    rowsPerDelete: deletes.length ? deleted / deletes.length : 0,
    page: {
      label: page.label,
      path: page.path,
      without: { p50: without.latency.p50, p99: without.latency.p99 },
      during: { p50: loaded.latency.p50, p99: loaded.latency.p99 },
    },
  };
}

/**
 * Mixed load for `seconds`: signed-in pages from many sessions (autocannon), one user switching
 * between two accounts, and invitations sent and accepted one after another; the app's RSS and heap
 * sampled every `every` seconds.
 */
export async function soak(
  knex: Knex,
  portal: Portal,
  signIn: SignIn,
  parts: {
    pages: string[];
    pageClients: BenchClient[];
    switcher: BenchClient;
    switchAccounts: [number, number];
    /** Owners who invite in turn (the module allows each account a number of invitations an hour). */
    inviteOwnerIds: number[];
    inviteeIds: number[];
  },
  timing: { seconds: number; every: number; warmupSeconds: number; windowSeconds: number },
): Promise<SoakResult> {
  await portal.api('/__bench/gc', {});
  const samples: SoakResult['samples'] = [];
  const started = Date.now();
  const sample = async () => {
    const s = await portal.stats();
    samples.push({ second: Math.round((Date.now() - started) / 1000), rss: s.rss, heapUsed: s.heapUsed });
  };
  await sample();
  const sampler = setInterval(() => void sample().catch(() => {}), timing.every * 1000);
  const failures: string[] = [];
  let running = true;
  let switches = 0;
  let invites = 0;
  let accepts = 0;

  const switching = async () => {
    for (let k = 0; running; k += 1) {
      const accountId = parts.switchAccounts[k % 2];
      await parts.switcher.get('/account/switch');
      const res = await parts.switcher.post('/account/switch', { accountId: String(accountId) });
      if (res.status !== 303) failures.push(`switch to ${accountId}: ${res.status}`);
      else switches += 1;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const inviting = async () => {
    // Signed in when first needed: the next owner takes over every 500 invitations.
    const owners = new Map<number, BenchClient>();
    const ownerFor = async (k: number) => {
      const id = parts.inviteOwnerIds[Math.floor(k / 500) % parts.inviteOwnerIds.length];
      if (!owners.has(id)) {
        const owner = await signIn(id);
        await owner.get('/account/users');
        owners.set(id, owner);
      }
      return owners.get(id)!;
    };
    for (const [k, id] of parts.inviteeIds.entries()) {
      if (!running) break;
      try {
        const owner = await ownerFor(k);
        const invitee = await signIn(id);
        await inviteAndAccept(knex, owner, invitee, email(id));
        invites += 1;
        accepts += 1;
      } catch (err) {
        failures.push(String(err));
      }
    }
  };
  for (const path of parts.pages) {
    const check = await parts.pageClients[0].get(path);
    if (check.status !== 200) throw new Error(`soak: ${path} answered ${check.status}, not 200`);
  }
  const loops = [switching(), inviting()];
  const pages = await portal.loadMixed(parts.pages, parts.pageClients, timing.seconds);
  running = false;
  await Promise.all(loops);
  clearInterval(sampler);
  await sample();
  return {
    seconds: timing.seconds,
    warmupSeconds: timing.warmupSeconds,
    windowSeconds: timing.windowSeconds,
    samples,
    pages: { ...pages, paths: parts.pages },
    switches,
    invites,
    accepts,
    failures: failures.slice(0, 5),
  };
}
