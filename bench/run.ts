import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createApp } from '../host/app';
import { createKnex } from '../host/db';
import { migrateHost } from '../host/migrate';
import { BenchClient } from './client';
import { BENCH_PASSWORD, email, generate, scaledSizes, STAFF_EMAIL, TEAM_PREFIX, type Cast } from './data';
import { explainRecorded, type Explained } from './explain';
import { Portal, type Target } from './measure';
import { lastPage } from './pages';
import { GUARDED_PATH } from './peer/guarded';
import { startPeer, type Peer, type PeerSizes } from './peer/index';
import { peerVersion, sideBySide, type PeerResult } from './peer/rows';
import { renderReport, type Comparison, type Phase, type RatioDef } from './report';
import { invitations, retention, soak } from './workloads';

/**
 * `npm run bench`: builds account_users_bench in MariaDB at scale, starts the portal in a child
 * process and drives it with autocannon from this one. BENCH_SMOKE=1: small data, seconds-long runs,
 * the report goes to the temp folder instead of docs/benchmarks.md. BENCH_SCALE=0.1: a tenth of the
 * data with the full run's timings (the report also goes to the temp folder). BENCH_DB names the
 * database, BENCH_KEEP=1 keeps it afterwards, BENCH_SOAK_SECONDS shortens the soak. BENCH_PEER=0 skips
 * the comparison with better-auth's organization plugin (bench/peer).
 */
const SMOKE = process.env.BENCH_SMOKE === '1';
const SCALE = SMOKE ? 0.005 : Number(process.env.BENCH_SCALE ?? 1);
const SIZES = scaledSizes(SCALE);
/** Seconds of load per page: SLICES slices of SLICE_SECONDS, taken in turn with the pages it is compared with. */
const SLICES = SMOKE ? 2 : 10;
const SLICE_SECONDS = SMOKE ? 1 : 2;
const RETENTION_SECONDS = SMOKE ? 3 : 20;
// BENCH_SOAK_SECONDS: a shorter soak while working on the benchmark itself.
const SOAK = SMOKE
  ? { seconds: 10, every: 2, warmupSeconds: 2, windowSeconds: 3 }
  : { seconds: Number(process.env.BENCH_SOAK_SECONDS ?? 300), every: 10, warmupSeconds: 60, windowSeconds: 60 };
// Fewer in the smoke run: each connection is a sign-in, and CI only checks that everything runs.
const CONNECTIONS = SMOKE ? 4 : 10;
const ROOT_URL = (process.env.BENCH_MYSQL_URL || process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(
  /\/+$/,
  '',
);
// BENCH_DB: another database name, so two runs on one MariaDB do not drop each other's.
const DB = process.env.BENCH_DB || 'account_users_bench';
const STAFF = '/admin/modules/account_users';
const PEER = process.env.BENCH_PEER !== '0';
/** Invitations in each of the four alternating batches of the comparison with better-auth. */
const PEER_BATCH = Math.max(4, Math.floor(SIZES.invites / 4));
const portal = new Portal(CONNECTIONS);

const log = (msg: string) => console.log(`[bench] ${msg}`);
type Db = ReturnType<typeof createKnex>;

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

function startServer(dbUrl: string, limitUser: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'server.ts')], {
    env: {
      ...process.env,
      BENCH_DB_URL: dbUrl,
      BENCH_PORT: '0',
      BENCH_LIMIT_USER: String(limitUser),
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the portal did not start in 60 s')), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const ready = /READY (\d+)/.exec(chunk.toString());
      if (ready) {
        clearTimeout(timer);
        portal.base = `http://127.0.0.1:${ready[1]}`;
        resolve(child);
      }
    });
    child.on('exit', (code) => reject(new Error(`the portal exited (${code})`)));
  });
}

/** The empty, migrated database with the module activated as the admin's Modules page would. */
async function prepareDatabase(knex: Db, dbUrl: string): Promise<void> {
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
  // Retention off until its own run: the periodic pass would otherwise delete old log rows mid-run.
  await setup.accountUsers.settings.save({
    ...setup.accountUsers.settings.current(),
    invitesPerHour: 1000,
    maxUsersPerAccount: 0,
    logRetentionDays: 0,
  });
  await setup.close();
}

/** Signs in; the login rate limit is per address, so the benchmark clears it between its many sign-ins. */
async function signIn(knex: Db, userId: number): Promise<BenchClient> {
  await knex('rate_limits').del();
  const client = new BenchClient(portal.base);
  await client.login(email(userId), BENCH_PASSWORD);
  return client;
}

async function staffSignIn(knex: Db): Promise<BenchClient> {
  await knex('rate_limits').del();
  const client = new BenchClient(portal.base);
  await client.get('/admin/login');
  const res = await client.post('/admin/login', { email: STAFF_EMAIL, password: BENCH_PASSWORD });
  if (res.status !== 303) throw new Error(`staff login answered ${res.status}`);
  return client;
}

async function choose(client: BenchClient, accountId: number): Promise<void> {
  await client.get('/account/switch');
  const res = await client.post('/account/switch', { accountId: String(accountId) });
  if (res.status !== 303) throw new Error(`switching to ${accountId} answered ${res.status}`);
  await client.get('/');
}

/** CONNECTIONS sessions of one user, or one session each of several users, in the account given. */
async function sessions(knex: Db, userIds: number[], accountId?: number): Promise<BenchClient[]> {
  const out: BenchClient[] = [];
  for (let k = 0; k < CONNECTIONS; k += 1) {
    const client = await signIn(knex, userIds[k % userIds.length]);
    if (accountId) await choose(client, accountId);
    out.push(client);
  }
  return out;
}

const logRows = async (knex: Db, accountId: number) =>
  Number(
    ((await knex('mod_account_users_log').where('account_id', accountId).count({ n: '*' }).first()) as { n: number }).n,
  );

const n = (v: number) => v.toLocaleString('en');
const q = (text: string) => encodeURIComponent(text);

/**
 * The pages measured and what the report judges of them: each group is measured together in
 * alternating slices; each ratio compares two of its rows (labels) against a target. A new
 * comparison is one more entry here.
 */
async function comparisons(knex: Db, cast: Cast): Promise<Plan> {
  const hostUsers = await sessions(knex, cast.hostPageUsers);
  const bigOwner = await sessions(knex, [cast.bigOwner]);
  const midOwner = await sessions(knex, [cast.midOwner]);
  const logOwner = await sessions(knex, [cast.logOwner]);
  const agency = await sessions(knex, [cast.agencyUser], cast.agencyFirstAccount + 1);
  const midAgency = await sessions(knex, [cast.midAgencyUser], cast.midAgencyFirstAccount + 1);
  const staff: BenchClient[] = [];
  for (let k = 0; k < CONNECTIONS; k += 1) staff.push(await staffSignIn(knex));
  log('signed in');

  const big = n(SIZES.bigAccountUsers);
  const bigLog = await logRows(knex, cast.bigAccount);
  const smallLog = await logRows(knex, cast.logAccount);
  const usersLast = await lastPage(bigOwner[0], '/account/users', SIZES.bigAccountUsers, 50);
  const activity = (rows: number) => `Activity, ${n(rows)} log rows`;
  const staffLog = (rows: number) => `Staff log, ${n(rows)} log rows`;
  const logOf = (accountId: number) => `${STAFF}/accounts/${accountId}/log`;
  const targets = {
    bare: { label: 'Bare Express, same page from memory', path: '/__bench/limit/bare/services', clients: hostUsers },
    session: {
      label: 'Express + database session, page from memory',
      path: '/__bench/limit/session/services',
      clients: hostUsers,
    },
    off: {
      label: 'Host page, module off',
      path: '/services',
      clients: hostUsers,
      prepare: () => portal.api('/__bench/module/off', {}),
    },
    guarded: {
      label: 'Host page, guarded by the module',
      path: '/services',
      clients: hostUsers,
      prepare: () => portal.api('/__bench/module/on', {}),
    },
    usersMid: { label: 'User Management, 50 users', path: '/account/users', clients: midOwner },
    usersBig: { label: `User Management, ${big} users`, path: '/account/users', clients: bigOwner },
    usersBigLast: { label: `User Management, ${big} users, last page`, path: usersLast, clients: bigOwner },
    searchMid: {
      label: `User Management search "${TEAM_PREFIX}", 50 users`,
      path: `/account/users?q=${TEAM_PREFIX}`,
      clients: midOwner,
    },
    searchBig: {
      label: `User Management search "${TEAM_PREFIX}", ${big} users`,
      path: `/account/users?q=${TEAM_PREFIX}`,
      clients: bigOwner,
    },
    switchMid: { label: 'Switch Account, 20 accounts', path: '/account/switch', clients: midAgency },
    switchBig: {
      label: `Switch Account, ${n(SIZES.agencyAccounts)} accounts`,
      path: '/account/switch',
      clients: agency,
    },
    switchSearchMid: {
      label: `Switch Account search "${cast.midAgencySearch}", 20 accounts`,
      path: `/account/switch?q=${q(cast.midAgencySearch)}`,
      clients: midAgency,
    },
    switchSearchBig: {
      label: `Switch Account search "${cast.agencySearch}", ${n(SIZES.agencyAccounts)} accounts`,
      path: `/account/switch?q=${q(cast.agencySearch)}`,
      clients: agency,
    },
    activitySmall: { label: activity(smallLog), path: '/account/activity', clients: logOwner },
    activityBig: { label: activity(bigLog), path: '/account/activity', clients: bigOwner },
    activitySmallLast: {
      label: `${activity(smallLog)}, last page`,
      path: await lastPage(logOwner[0], '/account/activity', smallLog, 50),
      clients: logOwner,
    },
    activityBigLast: {
      label: `${activity(bigLog)}, last page`,
      path: await lastPage(bigOwner[0], '/account/activity', bigLog, 50),
      clients: bigOwner,
    },
    staffLogSmall: { label: staffLog(smallLog), path: logOf(cast.logAccount), clients: staff },
    staffLogBig: { label: staffLog(bigLog), path: logOf(cast.bigAccount), clients: staff },
    staffLogSmallLast: {
      label: `${staffLog(smallLog)}, last page`,
      path: await lastPage(staff[0], logOf(cast.logAccount), smallLog, 50),
      clients: staff,
    },
    staffLogBigLast: {
      label: `${staffLog(bigLog)}, last page`,
      path: await lastPage(staff[0], logOf(cast.bigAccount), bigLog, 50),
      clients: staff,
    },
    staffEmail: {
      label: `Staff user search by e-mail "${cast.staffEmailSearch}", ${n(SIZES.users)} users, one at a time`,
      path: `${STAFF}/users?q=${q(cast.staffEmailSearch)}`,
      clients: staff,
      // The target is the latency of one search: one connection, so no request waits behind another.
      connections: 1,
    },
    staffName: {
      label: `Staff user search by name "${cast.staffNameSearch}", ${n(SIZES.users)} users, one at a time`,
      path: `${STAFF}/users?q=${q(cast.staffNameSearch)}`,
      clients: staff,
      connections: 1,
    },
  } satisfies Record<string, Target>;
  type Key = keyof typeof targets;
  const cost = (subject: Key, base: Key, max: number, extra: Partial<RatioDef> = {}): RatioDef => ({
    subject: targets[subject].label,
    base: targets[base].label,
    kind: 'cost',
    target: max,
    ...extra,
  });
  const keeps = (subject: Key, base: Key, min?: number, extra: Partial<RatioDef> = {}): RatioDef => ({
    subject: targets[subject].label,
    base: targets[base].label,
    kind: 'keeps',
    target: min,
    ...extra,
  });
  const group = (name: string, keys: Key[], ratios: RatioDef[], p50Below?: number): Comparison => ({
    group: name,
    targets: keys.map((k) => targets[k]),
    rows: [],
    ratios,
    p50Below,
  });
  const groups = [
    group(
      'The limit: the host page with less of the portal',
      ['bare', 'session', 'off', 'guarded'],
      [keeps('guarded', 'off', 0.95, { sameQueries: true }), keeps('guarded', 'bare'), keeps('guarded', 'session')],
    ),
    group(
      'User Management',
      ['usersMid', 'usersBig', 'usersBigLast'],
      [cost('usersBig', 'usersMid', 1.1), cost('usersBigLast', 'usersBig', 1.1)],
    ),
    group('User Management search', ['searchMid', 'searchBig'], [cost('searchBig', 'searchMid', 1.25)]),
    group('Switch Account', ['switchMid', 'switchBig'], [cost('switchBig', 'switchMid', 1.1)]),
    group(
      'Switch Account search',
      ['switchSearchMid', 'switchSearchBig'],
      [cost('switchSearchBig', 'switchSearchMid', 1.25)],
    ),
    group(
      'Activity (the owner’s page)',
      ['activitySmall', 'activityBig', 'activitySmallLast', 'activityBigLast'],
      [cost('activityBig', 'activitySmall', 1.1), cost('activityBigLast', 'activitySmallLast', 1.1)],
    ),
    group(
      'Activity (the staff log of the account)',
      ['staffLogSmall', 'staffLogBig', 'staffLogSmallLast', 'staffLogBigLast'],
      [cost('staffLogBig', 'staffLogSmall', 1.1), cost('staffLogBigLast', 'staffLogSmallLast', 1.1)],
    ),
    group('Staff search across all users', ['staffEmail', 'staffName'], [], 10),
  ];
  // The staff pages' queries read the host's tables too: everything but the session and the staff lookup is theirs.
  const staffQueries = (sql: string) => !/`(sessions|admins|modules)`/.test(sql);
  const explain: ExplainPage[] = [
    ...(['guarded', 'usersBig', 'usersBigLast', 'searchBig', 'switchBig', 'switchSearchBig'] as Key[]).map((k) => ({
      target: targets[k],
    })),
    { target: targets.activityBigLast },
    { target: targets.staffLogBigLast, isModule: staffQueries },
    { target: targets.staffEmail, isModule: staffQueries },
    { target: targets.staffName, isModule: staffQueries },
  ];
  const peerPages = {
    check: { label: 'Membership check', path: GUARDED_PATH, clients: hostUsers },
    membersFirst: targets.usersBig,
    membersLast: targets.usersBigLast,
  };
  return { groups, explain, retentionPage: targets.activityBig, hostUsers, peerPages };
}

interface ExplainPage {
  target: Target;
  isModule?: (sql: string) => boolean;
}

interface Plan {
  groups: Comparison[];
  /** The pages whose queries the report lists, EXPLAINed. */
  explain: ExplainPage[];
  /** The page loaded while the retention deletes: the big account's activity, which reads the log. */
  retentionPage: Target;
  /** Sessions of the ten host-page owners, for the soak. */
  hostUsers: BenchClient[];
  /** The module's pages set against better-auth's. */
  peerPages: Record<'check' | 'membersFirst' | 'membersLast', Target>;
}

/**
 * better-auth's organization plugin on data of the module's sizes (its big organization with as many
 * members as the big account, owner included), started after the module's groups so that building its
 * data disturbs none of them, and stopped (its database dropped) whatever happens.
 */
async function withPeer(
  knex: Db,
  plan: Plan,
  cast: Cast,
  phase: <T>(name: string, work: () => Promise<T>) => Promise<T>,
): Promise<PeerResult> {
  const sizes: PeerSizes = {
    users: SIZES.users,
    organizations: SIZES.accounts,
    bigOrganizationMembers: SIZES.bigAccountUsers,
    invites: 2 * PEER_BATCH,
  };
  // The module's invitees of the comparison: users after the cast's invitees, in no account yet.
  const free = cast.invitees[cast.invitees.length - 1] + 1;
  let used = 0;
  const page = (t: Target) => ({ path: t.path, cookies: t.clients.map((c) => c.cookie) });
  let peer: Peer | undefined;
  try {
    peer = await phase('better-auth data build and sign-ins', () =>
      startPeer(ROOT_URL, sizes, log, { database: `${DB}_peer`, sessions: CONNECTIONS }),
    );
    const running = peer;
    const rows = await phase('side by side with better-auth', () =>
      sideBySide(
        {
          base: portal.base,
          stats: () => portal.stats(),
          check: page(plan.peerPages.check),
          membersFirst: page(plan.peerPages.membersFirst),
          membersLast: page(plan.peerPages.membersLast),
          invitations: (count) => {
            const ids = Array.from({ length: count }, (_, k) => free + used + k);
            used += count;
            return invitations(
              knex,
              (id) => signIn(knex, id),
              cast.inviteOwner,
              cast.inviteAccount,
              ids,
              () => portal.stats(),
            );
          },
        },
        running,
        {
          connections: CONNECTIONS,
          slices: SLICES,
          sliceSeconds: SLICE_SECONDS,
          listSeconds: 2 * SLICE_SECONDS,
          batch: PEER_BATCH,
        },
        log,
      ),
    );
    return { version: peerVersion(), sizes, rows };
  } catch (err) {
    log(`side by side with better-auth failed: ${String(err)}`);
    await portal.drained();
    return { version: peerVersion(), sizes, rows: [], error: String(err) };
  } finally {
    await peer?.stop();
  }
}

async function main(): Promise<void> {
  const runStarted = Date.now();
  const startLoad = os.loadavg();
  const phases: Phase[] = [];
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const out = await work();
    phases.push({ name, seconds: (Date.now() - started) / 1000 });
    log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return out;
  };
  const mariadb = await resetDatabase();
  const dbUrl = `${ROOT_URL}/${DB}?pool=10`;
  const knex = createKnex(dbUrl);
  let server: ChildProcess | undefined;
  try {
    log(`${SMOKE ? 'smoke run' : `run at scale ${SCALE}`}: building ${DB}`);
    await prepareDatabase(knex, dbUrl);
    const cast = await phase('data build', () => generate(knex, SIZES, log));
    const generateSeconds = phases[0].seconds;

    server = await startServer(dbUrl, cast.hostPageUsers[0]);
    log(`portal listening on ${portal.base} (pid ${server.pid})`);
    const plan = await phase('sign-ins', () => comparisons(knex, cast));
    const { groups, explain: explainPages } = plan;
    for (const g of groups) {
      // A group that fails is reported as such; the others are still measured.
      try {
        g.rows = await phase(g.group, () => portal.compare(g.targets, SLICES, SLICE_SECONDS, log));
      } catch (err) {
        g.error = String(err);
        log(`${g.group} failed: ${g.error}`);
        await portal.drained();
      }
      // The host page's slices may end with the module switched off.
      await portal.api('/__bench/module/on', {});
    }

    const explained: Explained[] = await phase('EXPLAIN', async () => {
      const out: Explained[] = [];
      // Let the last run's requests finish before recording.
      await new Promise((r) => setTimeout(r, 1000));
      for (const page of explainPages) {
        await portal.api('/__bench/record', {});
        await page.target.clients[0].get(page.target.path);
        const recorded = await portal.api<Array<{ sql: string; bindings: unknown[] }>>('/__bench/stop-recording', {});
        out.push({ label: page.target.label, queries: await explainRecorded(knex, recorded, page.isModule) });
      }
      return out;
    });

    const peer = PEER ? await withPeer(knex, plan, cast, phase) : undefined;

    const invites = await phase('invitations', () =>
      invitations(
        knex,
        (id) => signIn(knex, id),
        cast.inviteOwner,
        cast.inviteAccount,
        cast.invitees,
        () => portal.stats(),
      ),
    );
    log(
      `invitations: ${invites.count} in ${invites.seconds.toFixed(1)} s (${invites.perSecond.toFixed(1)}/s); ` +
        `create ${invites.createMs.toFixed(0)} ms, page ${invites.pageMs.toFixed(0)} ms, ` +
        `accept ${invites.acceptMs.toFixed(0)} ms`,
    );

    const retained = await phase('retention', async () => {
      const out = await retention(knex, portal, 730, plan.retentionPage, RETENTION_SECONDS);
      await portal.api('/__bench/settings', { logRetentionDays: 0 });
      return out;
    });
    log(
      `retention: ${retained.passes} passes deleted ${retained.deleted} rows; ` +
        `a delete takes ${retained.deleteMs.p50.toFixed(1)} ms (max ${retained.deleteMs.max.toFixed(1)}); ` +
        `page p99 ${retained.page.without.p99} → ${retained.page.during.p99} ms`,
    );

    const soaked = await phase('soak', async () => {
      const switcher = await signIn(knex, cast.twoAccountUser);
      await choose(switcher, cast.twoAccounts[0]);
      const A = SIZES.accounts;
      return soak(
        knex,
        portal,
        (id) => signIn(knex, id),
        {
          pages: ['/services', '/', '/account/users', '/account/switch', '/account/activity'],
          pageClients: plan.hostUsers,
          switcher,
          switchAccounts: cast.twoAccounts,
          inviteOwnerIds: Array.from({ length: 20 }, (_, k) => 41 + k),
          inviteeIds: Array.from({ length: Math.floor(A / 2) - 1 }, (_, k) => Math.floor(A / 2) + k),
        },
        SOAK,
      );
    });

    const input: Parameters<typeof renderReport>[0] = {
      smoke: SMOKE,
      scale: SCALE,
      sizes: SIZES,
      cast,
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
      groups,
      explained,
      invites,
      peer,
      retention: retained,
      soak: soaked,
      phases,
      totalSeconds: (Date.now() - runStarted) / 1000,
    };
    const report = renderReport(input);
    // The figures as data too (without the sessions), so the report can be rendered again from them.
    fs.writeFileSync(
      path.join(os.tmpdir(), `account-users-bench-${SMOKE ? 'smoke' : `scale-${SCALE}`}.json`),
      JSON.stringify(input, (key, value: unknown) => (key === 'targets' ? undefined : value), 2),
    );
    console.log(`\n${report}`);
    const out =
      SMOKE || SCALE !== 1
        ? path.join(os.tmpdir(), `account-users-bench-${SMOKE ? 'smoke' : `scale-${SCALE}`}.md`)
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
