import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { createApp } from '../host/app';
import { createKnex } from '../host/db';
import { migrateHost } from '../host/migrate';
import { hashPassword } from '../host/passwords';
import { AccountsRepo } from '../module/accounts/repo';
import { AdminRepo } from '../module/admin/repo';
import type { HostSchema } from '../module/contract';
import { MembersRepo } from '../module/members/repo';
import { BenchClient } from './client';
import {
  AGENCY_USER,
  BIG_ACCOUNT,
  FEW_ACCOUNTS_USER,
  fillSearchShape,
  SEARCH_SHAPE,
  SMALL_ACCOUNT,
} from './search-data';

/**
 * `npx tsx bench/search.ts`: the searches at the 10× shape (bench/search-data.ts). Builds
 * bench_search in MariaDB, prints each search query's EXPLAIN and its median time over RUNS runs
 * (from this process, through the module's own repositories), then compares the search pages of a
 * big and a small account, and of the agency and a person in 20 accounts, over HTTP; drops the
 * database at the end. The report (Markdown) goes to stdout.
 */
const ROOT_URL = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DB = 'bench_search';
const RUNS = 50;
const PASSWORD = 'bench-search-password';
const CONNECTIONS = 10;
const SLICES = Number(process.env.BENCH_SLICES ?? 10);
const SLICE_SECONDS = 2;
const SCHEMA: HostSchema = {
  users: { table: 'users', id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' },
  accounts: { table: 'accounts', id: 'id', name: 'name', status: 'status', openStatuses: ['active'] },
};

const log = (msg: string) => console.error(`[search] ${msg}`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function admin(sql: string): Promise<void> {
  const conn = await mysql.createConnection({ uri: ROOT_URL });
  await conn.query(sql);
  await conn.end();
}

/** The portal's and the module's tables (the module active, as an admin leaves it), then the rows. */
async function build(knex: Knex, dbUrl: string): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS \`${DB}\``);
  await admin(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
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
  await setup.close();
  const started = Date.now();
  await fillSearchShape(knex);
  // One real hash for the people who sign in to the pages compared over HTTP.
  const hash = await hashPassword(PASSWORD);
  await knex('users').whereIn('id', signingIn).update({ password_hash: hash });
  log(`filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const signingIn = [BIG_ACCOUNT, SMALL_ACCOUNT, AGENCY_USER, FEW_ACCOUNTS_USER];

interface Case {
  label: string;
  run: () => Promise<unknown>;
}

/** EXPLAIN of every statement one call runs, and the call's median milliseconds over RUNS runs. */
async function measure(knex: Knex, c: Case): Promise<string> {
  const recorded: Array<{ sql: string; bindings: unknown[] }> = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) =>
    recorded.push({ sql: q.sql, bindings: q.bindings ?? [] });
  knex.on('query', listener);
  const result = await c.run();
  knex.off('query', listener);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t = process.hrtime.bigint();
    await c.run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const found = Array.isArray(result) ? `${result.length} rows` : String(result);
  let out = `#### ${c.label}: p50 ${median(times).toFixed(2)} ms (${found})\n\n`;
  for (const q of recorded) {
    const sql = knex.raw(q.sql, q.bindings as Knex.RawBinding[]).toQuery();
    const [plan] = (await knex.raw(`explain ${sql}`)) as [Array<Record<string, string | number | null>>];
    out += '```sql\n' + sql + '\n```\n\n| table | type | key | rows | Extra |\n|---|---|---|---|---|\n';
    for (const p of plan) out += `| ${p.table} | ${p.type} | ${p.key ?? ''} | ${p.rows} | ${p.Extra ?? ''} |\n`;
    out += '\n';
  }
  return out;
}

function startServer(dbUrl: string): Promise<{ child: ChildProcess; base: string }> {
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
        resolve({ child, base: `http://127.0.0.1:${ready[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`the portal exited (${code})`)));
  });
}

interface Target {
  label: string;
  path: string;
  client: BenchClient;
}

/** Two pages in alternating slices (A B, B A, …): req/s over all slices, app CPU per request from the portal. */
async function compare(base: string, a: Target, b: Target): Promise<string> {
  const cpu = async () => ((await (await fetch(`${base}/__bench/stats`)).json()) as { cpuMicros: number }).cpuMicros;
  const totals = new Map<Target, { requests: number; seconds: number; cpu: number; p50: number[] }>();
  for (const t of [a, b]) {
    const check = await t.client.get(t.path);
    if (check.status !== 200) throw new Error(`${t.label}: ${t.path} answered ${check.status}`);
    totals.set(t, { requests: 0, seconds: 0, cpu: 0, p50: [] });
  }
  for (let slice = 0; slice < SLICES; slice += 1) {
    for (const t of slice % 2 ? [b, a] : [a, b]) {
      const before = await cpu();
      const r = await autocannon({
        url: base + t.path,
        connections: CONNECTIONS,
        duration: SLICE_SECONDS,
        headers: { cookie: t.client.cookie },
      });
      if (r.non2xx || r.errors) throw new Error(`${t.label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      const sum = totals.get(t)!;
      sum.cpu += (await cpu()) - before;
      sum.requests += r.requests.total;
      sum.seconds += r.duration;
      sum.p50.push(r.latency.p50);
    }
  }
  let out = '| page | req/s | p50 ms | app CPU ms/request |\n|---|---|---|---|\n';
  const rows = [a, b].map((t) => {
    const s = totals.get(t)!;
    return { t, rps: s.requests / s.seconds, p50: median(s.p50), cpu: s.cpu / s.requests / 1000 };
  });
  for (const r of rows)
    out += `| ${r.t.label} (\`${r.t.path}\`) | ${r.rps.toFixed(0)} | ${r.p50} | ${r.cpu.toFixed(2)} |\n`;
  out +=
    `\nRatio (second to first): throughput ${(rows[0].rps / rows[1].rps).toFixed(2)}×, ` +
    `app CPU ${(rows[1].cpu / rows[0].cpu).toFixed(2)}×\n\n`;
  log(out);
  return out;
}

async function signIn(knex: Knex, base: string, userId: number, accountId?: number): Promise<BenchClient> {
  await knex('rate_limits').del();
  const client = new BenchClient(base);
  await client.login(`u${userId}@bench.example`, PASSWORD);
  if (accountId) {
    await client.get('/account/switch');
    const res = await client.post('/account/switch', { accountId: String(accountId) });
    if (res.status !== 303) throw new Error(`switching to ${accountId} answered ${res.status}`);
  }
  return client;
}

async function main(): Promise<void> {
  const dbUrl = `${ROOT_URL}/${DB}?pool=10`;
  const knex = createKnex(dbUrl);
  let server: ChildProcess | undefined;
  try {
    log(`building ${DB}`);
    if (process.env.BENCH_KEEP !== 'reuse') await build(knex, dbUrl);
    const [[version]] = (await knex.raw('select version() as v')) as [[{ v: string }]];
    const staff = new AdminRepo(knex, SCHEMA);
    const members = new MembersRepo(knex, SCHEMA);
    const accounts = new AccountsRepo(knex, SCHEMA);
    const s = SEARCH_SHAPE;
    const cases: Case[] = [
      { label: 'Staff: users by e-mail prefix "u12345", count', run: () => staff.countUsers('u12345') },
      { label: 'Staff: users by e-mail prefix "u12345", first page', run: () => staff.users('u12345', 0, 25) },
      { label: 'Staff: users by first name "first4242", count', run: () => staff.countUsers('first4242') },
      { label: 'Staff: users by first name "first4242", first page', run: () => staff.users('first4242', 0, 25) },
      { label: 'Staff: users by last name "last4242", count', run: () => staff.countUsers('last4242') },
      { label: 'Staff: users by last name "last4242", first page', run: () => staff.users('last4242', 0, 25) },
      { label: 'Staff: two words "first4242 last9", count', run: () => staff.countUsers('first4242 last9') },
      { label: 'Staff: two words "first4242 last9", first page', run: () => staff.users('first4242 last9', 0, 25) },
      { label: 'Staff: accounts "customer 0012", count', run: () => staff.countAccounts('customer 0012') },
      { label: 'Staff: accounts "customer 0012", first page', run: () => staff.accounts('customer 0012', 0, 25) },
      {
        label: `Members: account of ${s.bigAccountUsers + 1} users, "u10012", count`,
        run: () => members.countMembers(BIG_ACCOUNT, 'u10012'),
      },
      {
        label: `Members: account of ${s.bigAccountUsers + 1} users, "u10012", first page`,
        run: () => members.members(BIG_ACCOUNT, 'u10012', { at: 'first' }, 50),
      },
      {
        label: `Members: account of ${s.bigAccountUsers + 1} users, "first10012", first page`,
        run: () => members.members(BIG_ACCOUNT, 'first10012', { at: 'first' }, 50),
      },
      {
        label: `Members: account of ${s.smallAccountUsers} users, "u20001", count`,
        run: () => members.countMembers(SMALL_ACCOUNT, 'u20001'),
      },
      {
        label: `Members: account of ${s.smallAccountUsers} users, "u20001", first page`,
        run: () => members.members(SMALL_ACCOUNT, 'u20001', { at: 'first' }, 50),
      },
      {
        label: `Members: account of ${s.bigAccountUsers + 1} users, "u1" (matches them all), count`,
        run: () => members.countMembers(BIG_ACCOUNT, 'u1'),
      },
      {
        label: `Chooser: the agency (${s.agencyAccounts} accounts), "customer 0012", count`,
        run: () => accounts.count(AGENCY_USER, 'customer 0012'),
      },
      {
        label: `Chooser: the agency (${s.agencyAccounts} accounts), "customer 0012", first page`,
        run: () => accounts.page(AGENCY_USER, 'customer 0012', { at: 'first' }, 20),
      },
      {
        label: `Chooser: a person in ${s.fewAccounts} accounts, "customer 0100", count`,
        run: () => accounts.count(FEW_ACCOUNTS_USER, 'customer 0100'),
      },
      {
        label: `Chooser: a person in ${s.fewAccounts} accounts, "customer 0100", first page`,
        run: () => accounts.page(FEW_ACCOUNTS_USER, 'customer 0100', { at: 'first' }, 20),
      },
      {
        label: `Chooser: the agency, "customer" (matches all ${s.agencyAccounts}), count`,
        run: () => accounts.count(AGENCY_USER, 'customer'),
      },
    ];
    let report =
      `## Search at ${s.users.toLocaleString('en')} users, ${s.accounts.toLocaleString('en')} accounts ` +
      `(MariaDB ${version.v}, ${new Date().toISOString().slice(0, 10)})\n\n`;
    for (const c of cases) {
      log(c.label);
      report += await measure(knex, c);
    }
    if (process.env.BENCH_HTTP !== '0') {
      const started = await startServer(dbUrl);
      server = started.child;
      const base = started.base;
      const bigOwner = await signIn(knex, base, BIG_ACCOUNT);
      const smallOwner = await signIn(knex, base, SMALL_ACCOUNT);
      const agency = await signIn(knex, base, AGENCY_USER, 3);
      const few = await signIn(knex, base, FEW_ACCOUNTS_USER, 3 + s.agencyAccounts);
      report += '### Over HTTP\n\n';
      report += await compare(
        base,
        {
          label: `User Management search, ${s.smallAccountUsers} users`,
          path: '/account/users?q=u20001',
          client: smallOwner,
        },
        {
          label: `User Management search, ${s.bigAccountUsers + 1} users`,
          path: '/account/users?q=u10012',
          client: bigOwner,
        },
      );
      report += await compare(
        base,
        {
          label: `Switch Account search, ${s.fewAccounts} accounts`,
          path: '/account/switch?q=customer+0100',
          client: few,
        },
        {
          label: `Switch Account search, ${s.agencyAccounts} accounts`,
          path: '/account/switch?q=customer+0012',
          client: agency,
        },
      );
    }
    console.log(report);
  } finally {
    server?.kill();
    await knex.destroy();
    if (process.env.BENCH_KEEP !== '1' && process.env.BENCH_KEEP !== 'reuse')
      await admin(`DROP DATABASE IF EXISTS \`${DB}\``);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
