import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createApp } from '../../host/app';
import { createKnex } from '../../host/db';
import { migrateHost } from '../../host/migrate';
import { BenchClient } from '../client';
import { BENCH_PASSWORD, email, generate, type Cast, type Sizes } from '../data';
import { comparePair, describePair, type LoadOptions, type Side } from './compare';
import { GUARDED_PATH } from './guarded';
import { describePlans, planAll } from './explain';
import { PEER_DB, startPeer, type Invited } from './index';

/**
 * `npx tsx bench/peer/try.ts`: the module's portal (bench/server.ts) and better-auth (bench/peer)
 * side by side on a small data set, the three rows of the comparison printed as ratios. The data of
 * both is shaped alike: an account / organization with 50,000 users, 2,000 small ones.
 */
const ROOT_URL = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DB = 'account_users_bench_try';
const SIZES: Sizes = { users: 60_000, accounts: 2_000, bigAccountUsers: 50_000, agencyAccounts: 40, invites: 82 };
const LOAD: LoadOptions = { connections: 10, slices: Number(process.env.SLICES ?? 4), sliceSeconds: 2 };
/** A page that reads 50,000 rows may take seconds under load on a shared machine: longer slices for the lists. */
const LIST_SLICE_SECONDS = 4;
const log = (msg: string) => console.log(`[try] ${msg}`);

async function main(): Promise<void> {
  const conn = await mysql.createConnection({ uri: ROOT_URL });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await conn.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  const dbUrl = `${ROOT_URL}/${DB}?pool=10`;
  const knex = createKnex(dbUrl);
  let portal: ChildProcess | undefined;
  let stopPeer: (() => Promise<void>) | undefined;
  try {
    const cast = await buildModuleData(knex, dbUrl);
    const peer = await startPeer(
      ROOT_URL,
      {
        users: SIZES.users,
        organizations: SIZES.accounts,
        // The module's big account has its owner beside the users.
        bigOrganizationMembers: SIZES.bigAccountUsers,
        invites: SIZES.invites,
      },
      log,
    );
    stopPeer = peer.stop;
    const started = await startPortal(dbUrl);
    portal = started.child;
    const base = started.base;
    const portalStats = async () =>
      (await (await fetch(`${base}/__bench/stats`)).json()) as { queries: number; cpuMicros: number };
    const signIn = async (userId: number) => {
      await knex('rate_limits').del();
      const client = new BenchClient(base);
      await client.login(email(userId), BENCH_PASSWORD);
      return client;
    };
    const sessions = async (userIds: number[]) => {
      const out: BenchClient[] = [];
      for (let k = 0; k < LOAD.connections; k += 1) out.push(await signIn(userIds[k % userIds.length]));
      return out;
    };
    const hostUsers = await sessions(cast.hostPageUsers);
    const bigOwner = await sessions([cast.bigOwner]);
    log('portal signed in');
    const moduleSide = (label: string, pathname: string, clients: BenchClient[]): Side => ({
      label,
      base,
      path: pathname,
      cookies: clients.map((c) => c.cookie),
      stats: portalStats,
    });
    const peerSide = (label: string, target: { path: string; cookies: string[] }): Side => ({
      label,
      base: peer.base,
      ...target,
      stats: peer.stats,
    });

    const ratios: string[] = [];
    const pair = async (name: string, module: Side, other: Side, seconds = LOAD.sliceSeconds) => {
      const [m, p] = await comparePair(module, other, { ...LOAD, sliceSeconds: seconds });
      console.log(`${name}\n${describePair(m, p)}`);
      ratios.push(`${name}: ${(m.rps / p.rps).toFixed(2)}x`);
    };
    await pair(
      'a. membership check of a signed-in member',
      moduleSide('module guard', GUARDED_PATH, hostUsers),
      peerSide('better-auth getActiveMember', peer.check),
    );
    await pair(
      'b. members, first page',
      moduleSide('User Management page 1', '/account/users', bigOwner),
      peerSide('listMembers offset 0', peer.membersFirst),
      LIST_SLICE_SECONDS,
    );
    await pair(
      'b. members, last page',
      moduleSide('User Management last page', await lastPage(bigOwner[0]), bigOwner),
      peerSide('listMembers last offset', peer.membersLast),
      LIST_SLICE_SECONDS,
    );

    // What one request runs on each side, with EXPLAIN (let the last load's requests finish first).
    await new Promise((r) => setTimeout(r, 1000));
    const portalRecord = (what: string) =>
      fetch(`${base}/__bench/${what}`, { method: 'POST' }).then(
        async (r) => (await r.json()) as Array<{ sql: string; bindings: unknown[] }>,
      );
    const last = await lastPage(bigOwner[0]);
    for (const [label, client, pathname] of [
      ['module guard', hostUsers[0], GUARDED_PATH],
      ['User Management page 1', bigOwner[0], '/account/users'],
      ['User Management last page', bigOwner[0], last],
    ] as Array<[string, BenchClient, string]>) {
      await portalRecord('record');
      await client.get(pathname);
      console.log(describePlans(label, await planAll(`${ROOT_URL}/${DB}`, await portalRecord('stop-recording'))));
    }
    for (const [label, target] of [
      ['better-auth getActiveMember', peer.check],
      ['listMembers offset 0', peer.membersFirst],
      ['listMembers last offset', peer.membersLast],
    ] as const) {
      await peer.record();
      await fetch(peer.base + target.path, { headers: { cookie: target.cookies[0] } });
      console.log(describePlans(label, await planAll(`${ROOT_URL}/${PEER_DB}`, await peer.recorded())));
    }

    // Four batches, alternating as the slices do: module, better-auth, better-auth, module.
    const owner = await signIn(cast.inviteOwner);
    const quarter = Math.floor(cast.invitees.length / 4);
    const moduleRuns: Invited[] = [];
    const peerRuns: Invited[] = [];
    for (const [k, side] of (['module', 'peer', 'peer', 'module'] as const).entries()) {
      const batch = cast.invitees.slice(k * quarter, (k + 1) * quarter);
      if (side === 'module') moduleRuns.push(await invitations(knex, cast, batch, owner, signIn, portalStats));
      else peerRuns.push(await peer.invitations(quarter, 4));
    }
    // The statements of one invitation on each side (the cast's last invitees, past the batches').
    const one = cast.invitees.slice(4 * quarter, 4 * quarter + 1);
    await invitations(knex, cast, one, owner, signIn, portalStats, () => portalRecord('record'));
    console.log(
      describePlans('module invitation', await planAll(`${ROOT_URL}/${DB}`, await portalRecord('stop-recording'))),
    );
    await peer.invitations(1, 1, peer.record);
    console.log(
      describePlans('better-auth invitation', await planAll(`${ROOT_URL}/${PEER_DB}`, await peer.recorded())),
    );
    const moduleInvites = total(moduleRuns);
    const peerInvites = total(peerRuns);
    const line = (r: Invited) =>
      `${r.count} in ${r.seconds.toFixed(1)} s (${r.perSecond.toFixed(1)}/s), ` +
      `memberships afterwards ${r.memberships}, ${r.queries?.toFixed(1)} statements and ` +
      `${r.cpuMs?.toFixed(1)} ms server CPU per invitation`;
    console.log('c. invitation create + accept, 4 at a time');
    console.log(`  module: ${line(moduleInvites)}\n  better-auth: ${line(peerInvites)}`);
    ratios.push(`c. invitations: ${(moduleInvites.perSecond / peerInvites.perSecond).toFixed(2)}x`);
    console.log(`\nmodule/better-auth throughput (above 1: the module is faster)\n  ${ratios.join('\n  ')}`);
  } finally {
    if (portal?.pid) {
      await new Promise((r) => setTimeout(r, 1500));
      portal.removeAllListeners('exit');
      portal.kill('SIGTERM');
    }
    await stopPeer?.();
    await knex.destroy();
    if (process.env.BENCH_KEEP !== '1') {
      const c = await mysql.createConnection({ uri: ROOT_URL });
      await c.query(`DROP DATABASE IF EXISTS \`${DB}\``);
      await c.end();
    }
  }
}

/** The module's data as bench/run.ts builds it: the portal migrated, the module active, then bench/data.ts. */
async function buildModuleData(knex: ReturnType<typeof createKnex>, dbUrl: string): Promise<Cast> {
  await migrateHost(knex);
  const setup = await createApp({
    knex,
    config: {
      port: 0,
      databaseUrl: dbUrl,
      baseUrl: 'http://127.0.0.1',
      sessionSecret: 'bench',
      sessionIdleMinutes: 60,
      sessionAbsoluteMinutes: 600,
      trustProxy: false,
      timeZone: 'UTC',
      production: true,
    },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
  await setup.accountUsers.activate();
  await setup.registry.save({ active: true, version: setup.accountUsers.manifest.version });
  await setup.accountUsers.settings.save({
    ...setup.accountUsers.settings.current(),
    invitesPerHour: 1000,
    maxUsersPerAccount: 0,
  });
  await setup.close();
  const t0 = Date.now();
  const cast = await generate(knex, SIZES, log);
  log(`module data in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await knex.raw('ANALYZE TABLE users, accounts, mod_account_users_members');
  return cast;
}

function startPortal(dbUrl: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, '..', 'server.ts')], {
    env: { ...process.env, BENCH_DB_URL: dbUrl, BENCH_PORT: '0', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the portal did not start in 60 s')), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const ready = /READY (\d+)/.exec(chunk.toString());
      if (ready) {
        clearTimeout(timer);
        resolve({ child, base: `http://127.0.0.1:${ready[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`the portal exited (${code})`)));
  });
}

/** The address of User Management's last page: the pager's `data-pager="last"` link, else page N of the count. */
async function lastPage(client: BenchClient): Promise<string> {
  const { text } = await client.get('/account/users');
  const marked =
    /<a[^>]*data-pager="last"[^>]*>/.exec(text)?.[0] ?? /<a[^>]*href="[^"]*"[^>]*data-pager="last"/.exec(text)?.[0];
  const href = marked ? /href="([^"]+)"/.exec(marked)?.[1] : undefined;
  if (href) return href.replace(/&amp;/g, '&');
  return `/account/users?page=${Math.ceil(SIZES.bigAccountUsers / 50)}`;
}

/**
 * bench/run.ts's invitation run for some of the cast's invitees: create through the form, the token
 * from the outbox, the invitation page, accept.
 */
async function invitations(
  knex: ReturnType<typeof createKnex>,
  cast: Cast,
  batch: number[],
  owner: BenchClient,
  signIn: (userId: number) => Promise<BenchClient>,
  stats: () => Promise<{ queries: number; cpuMicros: number }>,
  atStart?: () => Promise<unknown>,
): Promise<Invited> {
  await owner.get('/account/users');
  const invitees: BenchClient[] = [];
  for (const id of batch) invitees.push(await signIn(id));
  let next = 0;
  await atStart?.();
  const before = await stats();
  const started = Date.now();
  const worker = async () => {
    while (next < invitees.length) {
      const k = next++;
      const address = email(batch[k]);
      const made = await owner.post('/account/users/invite', { email: address, access: 'all' });
      if (made.status !== 303) throw new Error(`invite ${address} answered ${made.status}`);
      const mail = await knex('outbox')
        .where('to_address', address)
        .orderBy('id', 'desc')
        .first<{ text: string } | undefined>('text');
      const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
      if (!token) throw new Error(`no invitation mail for ${address}`);
      await invitees[k].get(`/account/invite/${token}`);
      const accepted = await invitees[k].post(`/account/invite/${token}/accept`, {});
      if (accepted.status !== 303) throw new Error(`accept by ${address} answered ${accepted.status}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const seconds = (Date.now() - started) / 1000;
  const after = await stats();
  const row = (await knex('mod_account_users_members')
    .where('account_id', cast.inviteAccount)
    .whereIn('user_id', batch)
    .count({ n: '*' })
    .first()) as { n: number | string };
  return {
    perSecond: batch.length / seconds,
    count: batch.length,
    seconds,
    memberships: Number(row.n),
    queries: (after.queries - before.queries) / batch.length,
    cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / batch.length,
  };
}

/** Runs of a side added together: rates over the whole time, statements and CPU per invitation over all. */
function total(runs: Invited[]): Invited {
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
