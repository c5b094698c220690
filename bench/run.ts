import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { createApp } from '../host/app';
import { createKnex } from '../host/db';
import { migrateHost } from '../host/migrate';
import { BenchClient } from './client';
import { BENCH_PASSWORD, email, generate, type Cast, type Sizes } from './data';
import { explainRecorded, type Explained } from './explain';
import { renderReport, type Row } from './report';

/**
 * `npm run bench`: builds account_users_bench in MariaDB at scale, starts the portal in a child
 * process and drives it with autocannon from this one. BENCH_SMOKE=1: small data, seconds-long runs,
 * the report goes to the temp folder instead of docs/benchmarks.md.
 */
const SMOKE = process.env.BENCH_SMOKE === '1';
const SIZES: Sizes = SMOKE
  ? { users: 3_000, accounts: 300, bigAccountUsers: 100, agencyAccounts: 40, invites: 10 }
  : { users: 100_000, accounts: 10_000, bigAccountUsers: 5_000, agencyAccounts: 2_000, invites: 200 };
/** Seconds of load per page: SLICES slices of SLICE_SECONDS, alternating with the page it is compared with. */
const SLICES = SMOKE ? 2 : 20;
const SLICE_SECONDS = SMOKE ? 1 : 2;
const MEMORY_SECONDS = SMOKE ? 4 : 60;
const CONNECTIONS = 10;
const ROOT_URL = (process.env.BENCH_MYSQL_URL || process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(
  /\/+$/,
  '',
);
const DB = 'account_users_bench';
let BASE = '';

const log = (msg: string) => console.log(`[bench] ${msg}`);

async function resetDatabase(): Promise<string> {
  const conn = await mysql.createConnection({ uri: ROOT_URL });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await conn.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const [rows] = await conn.query('select version() as v');
  await conn.end();
  return String((rows as Array<{ v: string }>)[0].v);
}

async function dropDatabase(): Promise<void> {
  const conn = await mysql.createConnection({ uri: ROOT_URL });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await conn.end();
}

function startServer(dbUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'server.ts')], {
    env: { ...process.env, BENCH_DB_URL: dbUrl, BENCH_PORT: '0', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the portal did not start in 60 s')), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const ready = /READY (\d+)/.exec(chunk.toString());
      if (ready) {
        clearTimeout(timer);
        BASE = `http://127.0.0.1:${ready[1]}`;
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`the portal exited (${code})`)));
  });
}

async function bench<T>(pathname: string, body?: object): Promise<T> {
  const res = await fetch(
    BASE + pathname,
    body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : undefined,
  );
  return (await res.json()) as T;
}
const stats = () => bench<{ queries: number; rss: number; heapUsed: number; cpuMicros: number }>('/__bench/stats');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Target {
  label: string;
  path: string;
  clients: BenchClient[];
  /** Runs before each run of this target (the host page switches the module off or on). */
  prepare?: () => Promise<unknown>;
}

/** One autocannon run against a page, each connection with its own signed-in session (as many browsers would be). */
async function once(t: Target, seconds: number) {
  await t.prepare?.();
  let next = 0;
  const before = await stats();
  const r = await autocannon({
    url: BASE + t.path,
    connections: CONNECTIONS,
    duration: seconds,
    setupClient: (client: { setHeaders(h: Record<string, string>): void }) =>
      client.setHeaders({ cookie: t.clients[next++ % t.clients.length].cookie }),
  });
  const after = await stats();
  if (r.non2xx || r.errors) throw new Error(`${t.label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return {
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    queries: after.queries - before.queries,
    cpuMicros: after.cpuMicros - before.cpuMicros,
  };
}

/**
 * Measures two pages the same way in short alternating slices (A B, B A, A B, …), so bursts of
 * other work on the machine fall on both alike: req/s is all requests over all slice time; p50 and
 * p99 are the medians of the slices'; queries and app CPU per request are totals over requests.
 */
async function compare(a: Target, b: Target): Promise<[Row, Row]> {
  for (const t of [a, b]) {
    await t.prepare?.();
    for (const c of t.clients) {
      const check = await c.get(t.path);
      if (check.status !== 200) throw new Error(`${t.label}: ${t.path} answered ${check.status}, not 200`);
    }
    await once(t, 1);
  }
  const runs = new Map<Target, Array<Awaited<ReturnType<typeof once>>>>([
    [a, []],
    [b, []],
  ]);
  for (let slice = 0; slice < SLICES; slice += 1) {
    for (const t of slice % 2 ? [b, a] : [a, b]) runs.get(t)!.push(await once(t, SLICE_SECONDS));
  }
  return [a, b].map((t) => {
    const r = runs.get(t)!;
    const requests = r.reduce((sum, x) => sum + x.requests, 0);
    const row: Row = {
      label: t.label,
      path: t.path,
      rps: requests / r.reduce((sum, x) => sum + x.seconds, 0),
      p50: median(r.map((x) => x.p50)),
      p99: median(r.map((x) => x.p99)),
      queries: r.reduce((sum, x) => sum + x.queries, 0) / requests,
      cpuMs: r.reduce((sum, x) => sum + x.cpuMicros, 0) / requests / 1000,
      requests,
    };
    log(
      `${row.label}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ` +
        `${row.queries.toFixed(2)} queries and ${row.cpuMs.toFixed(2)} ms app CPU per request`,
    );
    return row;
  }) as [Row, Row];
}

/** CONNECTIONS sessions of one user, or one session each of several users. */
async function sessions(
  knex: ReturnType<typeof createKnex>,
  userIds: number[],
  accountId?: number,
): Promise<BenchClient[]> {
  const out: BenchClient[] = [];
  for (let k = 0; k < CONNECTIONS; k += 1) {
    const client = await signIn(knex, userIds[k % userIds.length]);
    if (accountId) await choose(client, accountId);
    out.push(client);
  }
  return out;
}

/** Signs in; the login rate limit is per address, so the benchmark clears it between its many sign-ins. */
async function signIn(knex: ReturnType<typeof createKnex>, userId: number): Promise<BenchClient> {
  await knex('rate_limits').del();
  const client = new BenchClient(BASE);
  await client.login(email(userId), BENCH_PASSWORD);
  return client;
}

async function choose(client: BenchClient, accountId: number): Promise<void> {
  await client.get('/account/switch');
  const res = await client.post('/account/switch', { accountId: String(accountId) });
  if (res.status !== 303) throw new Error(`switching to ${accountId} answered ${res.status}`);
  await client.get('/');
}

/** Invitation create + accept over HTTP, `workers` at a time; the token is read from the portal's outbox. */
async function invitations(
  knex: ReturnType<typeof createKnex>,
  cast: Cast,
): Promise<{ perSecond: number; count: number; seconds: number; memberships: number } | string> {
  if (!fs.existsSync(path.join(__dirname, '..', 'module', 'invites', 'service.ts')))
    return 'not measured: the invitations service (module/invites/service.ts) does not exist yet';
  const owner = await signIn(knex, cast.inviteOwner);
  await owner.get('/account/users');
  const invitees: BenchClient[] = [];
  for (const id of cast.invitees) invitees.push(await signIn(knex, id));
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < invitees.length) {
      const k = next++;
      const address = email(cast.invitees[k]);
      const made = await owner.post('/account/users/invite', { email: address, access: 'all' });
      if (made.status !== 303) throw new Error(`invite ${address} answered ${made.status}`);
      const mail = await knex('outbox')
        .where('to_address', address)
        .orderBy('id', 'desc')
        .first<{ text: string } | undefined>('text');
      const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
      if (!token) throw new Error(`no invitation mail for ${address}`);
      // The invitee opens the invitation page first, as from the mail: its form carries the module's token.
      await invitees[k].get(`/account/invite/${token}`);
      const accepted = await invitees[k].post(`/account/invite/${token}/accept`, {});
      if (accepted.status !== 303) throw new Error(`accept by ${address} answered ${accepted.status}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const seconds = (Date.now() - started) / 1000;
  const row = (await knex('mod_account_users_members')
    .where('account_id', cast.inviteAccount)
    .whereIn('user_id', cast.invitees)
    .count({ n: '*' })
    .first()) as { n: number | string };
  return { perSecond: invitees.length / seconds, count: invitees.length, seconds, memberships: Number(row.n) };
}

/** RSS of the app process every few seconds while a guarded page is under load. */
async function memory(
  clients: BenchClient[],
  pathname: string,
): Promise<Array<{ second: number; rss: number; heapUsed: number }>> {
  await bench('/__bench/gc', {});
  const samples: Array<{ second: number; rss: number; heapUsed: number }> = [];
  const started = Date.now();
  const step = SMOKE ? 1000 : 5000;
  const sampler = setInterval(() => {
    stats().then(
      (s) => samples.push({ second: Math.round((Date.now() - started) / 1000), rss: s.rss, heapUsed: s.heapUsed }),
      () => {},
    );
  }, step);
  const first = await stats();
  samples.push({ second: 0, rss: first.rss, heapUsed: first.heapUsed });
  let next = 0;
  await autocannon({
    url: BASE + pathname,
    connections: CONNECTIONS,
    duration: MEMORY_SECONDS,
    setupClient: (client: { setHeaders(h: Record<string, string>): void }) =>
      client.setHeaders({ cookie: clients[next++ % clients.length].cookie }),
  });
  clearInterval(sampler);
  const last = await stats();
  samples.push({ second: Math.round((Date.now() - started) / 1000), rss: last.rss, heapUsed: last.heapUsed });
  return samples;
}

async function main(): Promise<void> {
  const startLoad = os.loadavg();
  const mariadb = await resetDatabase();
  const dbUrl = `${ROOT_URL}/${DB}?pool=10`;
  const knex = createKnex(dbUrl);
  let server: ChildProcess | undefined;
  try {
    log(`${SMOKE ? 'smoke run' : 'full run'}: building ${DB}`);
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
    const generateSeconds = (Date.now() - t0) / 1000;
    await knex.raw('ANALYZE TABLE users, accounts, mod_account_users_members');

    server = await startServer(dbUrl);
    log(`portal listening on ${BASE} (pid ${server.pid})`);

    const hostUsers = await sessions(knex, cast.hostPageUsers);
    const bigOwner = await sessions(knex, [cast.bigOwner]);
    const smallOwner = await sessions(knex, [cast.smallOwner]);
    const twoUser = await sessions(knex, [cast.twoAccountUser], cast.twoAccounts[0]);
    const agency = await sessions(knex, [cast.agencyUser], cast.agencyFirstAccount + 1);
    log('signed in');

    const rows: Row[] = [];
    const usersPage = (await smallOwner[0].get('/account/users')).status === 200;
    // The same page and sessions; the module is switched off or on (as the admin's Modules page does) before each run.
    rows.push(
      ...(await compare(
        {
          label: 'Host page, module off',
          path: '/services',
          clients: hostUsers,
          prepare: () => bench('/__bench/module/off', {}),
        },
        {
          label: 'Host page, guarded by the module',
          path: '/services',
          clients: hostUsers,
          prepare: () => bench('/__bench/module/on', {}),
        },
      )),
    );
    await bench('/__bench/module/on', {});
    if (usersPage) {
      rows.push(
        ...(await compare(
          { label: 'User Management, 10 users', path: '/account/users', clients: smallOwner },
          {
            label: `User Management, ${SIZES.bigAccountUsers.toLocaleString('en')} users`,
            path: '/account/users',
            clients: bigOwner,
          },
        )),
      );
    }
    rows.push(
      ...(await compare(
        { label: 'Switch Account, 2 accounts', path: '/account/switch', clients: twoUser },
        {
          label: `Switch Account, ${SIZES.agencyAccounts.toLocaleString('en')} accounts`,
          path: '/account/switch',
          clients: agency,
        },
      )),
    );

    const explained: Explained[] = [];
    // Let the last run's requests finish before recording.
    await new Promise((r) => setTimeout(r, 1000));
    for (const [label, client, pathname] of [
      ['Host page (guarded)', hostUsers[0], '/services'],
      ...(usersPage ? [[`User Management (${SIZES.bigAccountUsers} users)`, bigOwner[0], '/account/users']] : []),
      [`Switch Account (${SIZES.agencyAccounts} accounts)`, agency[0], '/account/switch'],
    ] as Array<[string, BenchClient, string]>) {
      await bench('/__bench/record', {});
      await client.get(pathname);
      const recorded = await bench<Array<{ sql: string; bindings: unknown[] }>>('/__bench/stop-recording', {});
      explained.push({ label, queries: await explainRecorded(knex, recorded) });
    }

    const invites = await invitations(knex, cast);
    if (typeof invites !== 'string')
      log(
        `invitations: ${invites.count} created and accepted in ${invites.seconds.toFixed(1)} s ` +
          `(${invites.perSecond.toFixed(1)}/s), memberships afterwards: ${invites.memberships}`,
      );
    log(`memory: ${MEMORY_SECONDS} s under load on /services`);
    const mem = await memory(hostUsers, '/services');

    const report = renderReport({
      smoke: SMOKE,
      sizes: SIZES,
      generateSeconds,
      machine: {
        loadAverage: startLoad,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? '',
        memoryGb: os.totalmem() / 1024 ** 3,
        node: process.version,
        mariadb,
        platform: `${os.type()} ${os.release()}`,
      },
      duration: SLICES * SLICE_SECONDS,
      slices: SLICES,
      connections: CONNECTIONS,
      rows,
      usersPage,
      explained,
      invites,
      memory: mem,
      memorySeconds: MEMORY_SECONDS,
    });
    console.log(`\n${report}`);
    const out = SMOKE
      ? path.join(os.tmpdir(), 'account-users-bench-smoke.md')
      : path.join(__dirname, '..', 'docs', 'benchmarks.md');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, report);
    log(`written to ${out}`);
  } finally {
    if (server?.pid) {
      // Let requests still in flight from the last load finish before the portal stops.
      await new Promise((r) => setTimeout(r, 1500));
      server.removeAllListeners('exit');
      server.kill('SIGTERM');
    }
    await knex.destroy();
    // BENCH_KEEP=1 leaves the database for looking into a result.
    if (process.env.BENCH_KEEP !== '1') await dropDatabase();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
