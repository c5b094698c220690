import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { getMigrations } from 'better-auth/db/migration';
import mysql from 'mysql2/promise';
import { BENCH_PASSWORD } from '../data';
import { createPeerAuth, POOL_SIZE } from './auth';
import { fillPeer, organizationId, peerEmail, userId, type PeerSizes } from './fill';

export type { PeerSizes } from './fill';

export const PEER_DB = 'account_users_bench_peer';

/** A page to load: its path and one session cookie per connection. */
export interface PeerTarget {
  path: string;
  cookies: string[];
}

export interface Peer {
  base: string;
  /** The membership check of a signed-in member (ten members, each owner of a small organization). */
  check: PeerTarget;
  /** The big organization's members, first page and last page (better-auth's listMembers, limit/offset). */
  membersFirst: PeerTarget;
  membersLast: PeerTarget;
  /** Queries run, CPU used and memory of the peer's process so far. */
  stats: () => Promise<{ queries: number; rss: number; heapUsed: number; cpuMicros: number }>;
  /** The SQL of the requests made between the two calls. */
  record: () => Promise<void>;
  recorded: () => Promise<Array<{ sql: string; bindings: unknown[] }>>;
  /** createInvitation by the owner + acceptInvitation by the invitee, for the next `count` invitees
   * (signed in first), 4 at a time; `atStart` runs when the invitees are signed in and the clock starts. */
  invitations: (count?: number, concurrency?: number, atStart?: () => Promise<unknown>) => Promise<Invited>;
  stop: () => Promise<void>;
}

export interface Invited {
  perSecond: number;
  count: number;
  seconds: number;
  memberships: number;
  /** Statements and milliseconds of the server's CPU per invitation created and accepted. */
  queries?: number;
  cpuMs?: number;
}

/** The page size of the module's User Management. */
const PER_PAGE = 50;

/**
 * Builds `database` (better-auth's schema from its own migrations, then the data),
 * starts better-auth in a child process (bench/peer/server.ts) and signs in the sessions the rows use,
 * `sessions` for each (one a connection of the load).
 */
export async function startPeer(
  rootUrl: string,
  sizes: PeerSizes,
  log: (msg: string) => void = () => {},
  { database = PEER_DB, sessions = POOL_SIZE }: { database?: string; sessions?: number } = {},
): Promise<Peer> {
  const root = rootUrl.replace(/\/+$/, '');
  const conn = await mysql.createConnection({ uri: root });
  await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await conn.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  const dbUrl = `${root}/${database}`;
  const setup = createPeerAuth(dbUrl, 'http://127.0.0.1');
  await (await getMigrations(setup.auth.options)).runMigrations();
  // Where the peer's invitation mails go (bench/peer/auth.ts), like the portal's outbox.
  await setup.pool
    .promise()
    .query(
      'CREATE TABLE outbox (id BIGINT AUTO_INCREMENT PRIMARY KEY, to_address VARCHAR(255) NOT NULL, ' +
        'subject VARCHAR(255) NOT NULL, text TEXT NOT NULL, created_at BIGINT NOT NULL)',
    );
  const t0 = Date.now();
  const cast = await fillPeer(setup.pool.promise(), sizes, log);
  log(`peer data in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await setup.db.destroy();

  const child = await spawnServer(dbUrl);
  const base = child.base;
  const api = (pathname: string) => `${base}/api/auth${pathname}`;
  const post = async (pathname: string, cookie: string, body: object) => {
    const res = await fetch(api(pathname), {
      method: 'POST',
      // better-auth refuses a cookie-carrying POST from another origin; a browser sends its own.
      headers: { 'content-type': 'application/json', origin: base, cookie },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${pathname} answered ${res.status}: ${text.slice(0, 200)}`);
    return { res, json: JSON.parse(text) as Record<string, unknown> };
  };
  /** Signs user n in by email and password, then makes organization `org` the session's active one. */
  const signIn = async (n: number, org?: number): Promise<string> => {
    const { res } = await post('/sign-in/email', '', { email: peerEmail(n), password: BENCH_PASSWORD });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .find((c) => c.startsWith('better-auth.session_token='));
    if (!cookie) throw new Error(`no session cookie for user ${n}`);
    if (org !== undefined) await post('/organization/set-active', cookie, { organizationId: organizationId(org) });
    return cookie;
  };
  const tenSessions = async (users: number[], org: (n: number) => number) => {
    const out: string[] = [];
    for (let k = 0; k < sessions; k += 1) out.push(await signIn(users[k % users.length], org(users[k % users.length])));
    return out;
  };

  let checkCookies: string[];
  let ownerCookies: string[];
  try {
    checkCookies = await tenSessions(cast.checkUsers, (n) => n);
    ownerCookies = await tenSessions([cast.bigOwner], () => cast.bigOrganization);
  } catch (err) {
    child.process.removeAllListeners('exit');
    child.process.kill('SIGTERM');
    throw err;
  }
  const lastOffset = Math.floor((sizes.bigOrganizationMembers - 1) / PER_PAGE) * PER_PAGE;
  const members = (offset: number) => `/api/auth/organization/list-members?limit=${PER_PAGE}&offset=${offset}`;
  log('peer signed in');

  let owner: string | undefined;
  let used = 0;
  const peerJson = async <T>(pathname: string, method = 'GET'): Promise<T> =>
    (await (await fetch(base + pathname, { method })).json()) as T;

  return {
    base,
    check: { path: '/check', cookies: checkCookies },
    membersFirst: { path: members(0), cookies: ownerCookies },
    membersLast: { path: members(lastOffset), cookies: ownerCookies },
    stats: () => peerJson('/__peer/stats'),
    record: async () => void (await peerJson('/__peer/record', 'POST')),
    recorded: () => peerJson('/__peer/stop-recording', 'POST'),
    async invitations(count = cast.invitees.length - used, concurrency = 4, atStart?: () => Promise<unknown>) {
      // Each call invites the next `count` people of the cast, so runs can alternate with the module's.
      const batch = cast.invitees.slice(used, used + count);
      used += batch.length;
      if (!batch.length) throw new Error('every invitee of the cast has been invited');
      owner ??= await signIn(cast.inviteOwner, cast.inviteOrganization);
      const inviter = owner;
      const invitees: string[] = [];
      for (const n of batch) invitees.push(await signIn(n));
      let next = 0;
      await atStart?.();
      const before = await peerJson<{ queries: number; cpuMicros: number }>('/__peer/stats');
      const started = Date.now();
      const worker = async () => {
        while (next < invitees.length) {
          const k = next++;
          const made = await post('/organization/invite-member', inviter, {
            email: peerEmail(batch[k]),
            role: 'member',
            organizationId: organizationId(cast.inviteOrganization),
          });
          await post('/organization/accept-invitation', invitees[k], { invitationId: made.json.id });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const seconds = (Date.now() - started) / 1000;
      const after = await peerJson<{ queries: number; cpuMicros: number }>('/__peer/stats');
      const conn = await mysql.createConnection({ uri: dbUrl });
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM member WHERE organizationId = ? AND userId IN (?)', [
        organizationId(cast.inviteOrganization),
        batch.map(userId),
      ]);
      await conn.end();
      return {
        perSecond: batch.length / seconds,
        count: batch.length,
        seconds,
        memberships: Number((rows as Array<{ n: number }>)[0].n),
        queries: (after.queries - before.queries) / batch.length,
        cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / batch.length,
      };
    },
    async stop() {
      await new Promise((r) => setTimeout(r, 1500));
      child.process.removeAllListeners('exit');
      child.process.kill('SIGTERM');
      if (process.env.BENCH_KEEP !== '1') {
        const c = await mysql.createConnection({ uri: root });
        await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await c.end();
      }
    },
  };
}

function spawnServer(dbUrl: string): Promise<{ process: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'server.ts')], {
    env: { ...process.env, PEER_DB_URL: dbUrl, BENCH_PORT: '0', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the peer did not start in 60 s')), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const ready = /READY (\d+)/.exec(chunk.toString());
      if (ready) {
        clearTimeout(timer);
        resolve({ process: child, base: `http://127.0.0.1:${ready[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`the peer exited (${code})`)));
  });
}
