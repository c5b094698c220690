import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import type { Response } from 'supertest';
import { createKnex } from '../../host/db';
import type { Portal } from '../../host/app';
import { migrateHost } from '../../host/migrate';
import { TABLES } from '../../module/tables';
import { Client } from '../helpers/portal';
import type { Factories } from '../helpers/factories';
import { inCI } from '../helpers/ci';
import { instance } from '../reliability/setup';
import { missingTools, startCluster, wsrepStatus, type GaleraCluster } from './cluster';

const DB = 'account_users_galera';
const ROUNDS = 3;
/** Users per account, the owner included: the last scenario fills an account to one seat short. */
const MAX_USERS = 4;
const PASSWORD = 'test-password-1';

/** A JSON column as MariaDB's driver returns it: text. */
const parsed = (value: unknown): unknown => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value);

type Account = { id: number; ownerId: number };
type Person = { id: number; email: string };

/**
 * Three MariaDB Galera nodes, two app instances (on nodes 1 and 2, each connection with
 * `wsrep_sync_wait=1`) and the module's rules under parallel requests split across the nodes.
 * `SELECT ... FOR UPDATE` locks only on its own node, so here changes of one account meet at
 * commit (certification) instead of queueing; the invariants are read on all three nodes.
 */
describe('Galera: three nodes, two app instances', function () {
  this.timeout(170_000);
  let cluster: GaleraCluster | undefined;
  /** One pool per node for the checks (node 3 serves no app). */
  const nodes: Knex[] = [];
  let a: Portal;
  let b: Portal;
  let f: Factories;
  let staff: Person;
  const conflictsBefore = new Map<string, number>();
  /** Certification failures and brute-force aborts on all nodes together, at the start of a test. */
  let testConflicts = 0;
  const started = Date.now();

  before(async function () {
    const missing = missingTools();
    if (missing) {
      if (inCI() || process.env.REQUIRE_GALERA === '1') throw new Error(`Galera test: ${missing} is missing`);
      console.log(`  Skipping the Galera suite: ${missing} is missing (apt-get install galera-4 rsync).`);
      this.skip();
    }
    cluster = await startCluster((line) => console.log(`    ${line}`));
    console.log(`    cluster of three Synced in ${cluster.startMs} ms`);
    const conn = await mysql.createConnection({ uri: cluster.nodes[0].url });
    await conn.query(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.end();
    for (const node of cluster.nodes) nodes.push(createKnex(`${node.url}/${DB}?wsrep_sync_wait=1`));
    // The portal's and the module's migrations through node 1; the schema reaches the others.
    await migrateHost(nodes[0]);
    const appKnexA = createKnex(`${cluster.nodes[0].url}/${DB}?wsrep_sync_wait=1`);
    const appKnexB = createKnex(`${cluster.nodes[1].url}/${DB}?wsrep_sync_wait=1`);
    ({ portal: a, f } = await instance(appKnexA, { activate: true }));
    await a.accountUsers.settings.save({
      ...a.accountUsers.settings.current(),
      maxUsersPerAccount: MAX_USERS,
      invitesPerHour: 1000,
      requireInvitedAddress: false,
    });
    ({ portal: b } = await instance(appKnexB));
    staff = await f.admin();
    for (const node of cluster.nodes) {
      const s = await wsrepStatus(node);
      conflictsBefore.set(node.name, Number(s.wsrep_local_cert_failures) + Number(s.wsrep_local_bf_aborts));
    }
  });

  /** Conflicts certification found between the nodes (each one a transaction the module ran again). */
  async function conflictsNow(): Promise<number> {
    let sum = 0;
    for (const node of cluster?.nodes ?? []) {
      const s = await wsrepStatus(node);
      sum += Number(s.wsrep_local_cert_failures) + Number(s.wsrep_local_bf_aborts);
    }
    return sum;
  }

  beforeEach(async () => {
    testConflicts = await conflictsNow();
  });

  afterEach(async function () {
    const n = (await conflictsNow()) - testConflicts;
    if (n > 0) console.log(`      ${n} certification conflicts in "${this.currentTest?.title.slice(0, 40)}…"`);
  });

  after(async function () {
    this.timeout(60_000);
    if (cluster) {
      const counts: string[] = [];
      for (const node of cluster.nodes) {
        const s = await wsrepStatus(node).catch(() => undefined);
        if (!s) continue;
        const now = Number(s.wsrep_local_cert_failures) + Number(s.wsrep_local_bf_aborts);
        counts.push(`${node.name} ${now - (conflictsBefore.get(node.name) ?? 0)}`);
      }
      console.log(`    certification conflicts (cert failures + BF aborts): ${counts.join(', ')}`);
    }
    await a?.close();
    await b?.close();
    for (const knex of nodes) await knex.destroy();
    await cluster?.stop();
    console.log(`    Galera suite: ${Date.now() - started} ms in all`);
  });

  /** One app instance for each request in turn: A (node 1), B (node 2), A, … */
  const app = (i: number) => (i % 2 === 0 ? a.app : b.app);

  /** Sign-in attempts are limited per address; the scenarios sign many people in. */
  const forgetRateLimits = () => nodes[0]('rate_limits').del();

  async function loginTo(on: Portal['app'], email: string, accountId: number): Promise<Client> {
    const client = await Client.login(on, email, PASSWORD);
    await client.refreshCsrf('/account/switch');
    const res = await client.post('/account/switch', { accountId: String(accountId) });
    assert.equal(res.status, 303, `opening account ${accountId} as ${email}`);
    return client;
  }

  /** The same rows on every node (each read waits for its node to apply what was committed). */
  async function onEveryNode<T>(read: (knex: Knex) => Promise<T>): Promise<T> {
    const [first, ...rest] = await Promise.all(nodes.map(read));
    for (const other of rest) assert.deepEqual(other, first, 'the nodes disagree');
    return first;
  }

  function noServerError(responses: Response[]): void {
    for (const res of responses)
      assert.ok(res.status < 500, `answered ${res.status}: ${res.text.replace(/\s+/g, ' ').slice(0, 300)}`);
  }

  async function accountWithMembers(n: number): Promise<{ account: Account; owner: Person; members: Person[] }> {
    const owner = await f.user();
    const account = await f.account({ ownerId: owner.id });
    const members: Person[] = [];
    for (let i = 0; i < n; i += 1) {
      const member = await f.user();
      await f.member(account.id, member.id, 'all');
      members.push(member);
    }
    return { account, owner, members };
  }

  it('every table has a primary key', async () => {
    const missing = await onEveryNode((knex) =>
      knex
        .raw(
          `SELECT t.table_name AS name FROM information_schema.tables t
           WHERE t.table_schema = ? AND t.table_type = 'BASE TABLE' AND NOT EXISTS (
             SELECT 1 FROM information_schema.table_constraints c
             WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
               AND c.constraint_type = 'PRIMARY KEY')
           ORDER BY 1`,
          [DB],
        )
        .then((result) => (result as unknown as [Array<{ name: string }>])[0].map((r) => r.name)),
    );
    assert.deepEqual(missing, []);
  });

  it('parallel accepts of one invitation on two nodes: one membership, the others a refusal page', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      await forgetRateLimits();
      const { account } = await accountWithMembers(0);
      const link = await f.invite(account.id, { permissions: ['invoices'] });
      const people = await Promise.all(Array.from({ length: 4 }, () => f.user()));
      const clients = await Promise.all(people.map((p, i) => Client.login(app(i), p.email, PASSWORD)));
      await Promise.all(clients.map((c) => c.refreshCsrf(link.path)));
      const answers = await Promise.all(clients.map((c) => c.post(`${link.path}/accept`)));
      noServerError(answers);
      assert.equal(answers.filter((r) => r.status === 303).length, 1, 'one accept wins');
      for (const refused of answers.filter((r) => r.status !== 303)) {
        assert.ok(refused.status >= 400, `a refusal, not ${refused.status}`);
        assert.match(refused.text, /<h1/, 'a page');
      }
      const members = await onEveryNode((knex) =>
        knex(TABLES.members).where({ account_id: account.id }).whereNull('is_owner').select('user_id'),
      );
      assert.equal(members.length, 1);
      const accepted = await onEveryNode((knex) =>
        knex(TABLES.log).where({ account_id: account.id, action: 'invite_accepted' }).count({ n: '*' }),
      );
      assert.equal(Number(accepted[0].n), 1);
    }
  });

  it('parallel invitations of one address into one account on two nodes: one pending invitation', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      await forgetRateLimits();
      const { account, owner } = await accountWithMembers(0);
      const tabs = [await loginTo(a.app, owner.email, account.id), await loginTo(b.app, owner.email, account.id)];
      const email = `same-${round}@galera.test`;
      const answers = await Promise.all(
        [0, 1, 2, 3].map((i) => tabs[i % 2].post('/account/users/invite', { email, access: 'all' })),
      );
      noServerError(answers);
      assert.equal(answers.filter((r) => r.status === 303).length, 1, 'one invitation is made');
      const pending = await onEveryNode((knex) =>
        knex(TABLES.invites).where({ account_id: account.id, pending_email: email }).select('id'),
      );
      assert.equal(pending.length, 1);
    }
  });

  it('parallel ownership moves on two nodes (staff Make Owner, a hand-over accepted): exactly one owner', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      await forgetRateLimits();
      const { account, owner, members } = await accountWithMembers(3);
      const [heir, x, y] = members;
      const ownerTab = await loginTo(a.app, owner.email, account.id);
      const offered = await ownerTab.post('/account/ownership', { userId: String(heir.id), password: PASSWORD });
      assert.equal(offered.status, 303, offered.text.slice(0, 300));
      const offer = await nodes[0](TABLES.ownershipOffers)
        .where({ open_account_id: account.id })
        .first<{ id: number }>('id');
      const heirTab = await loginTo(b.app, heir.email, account.id);
      const staffA = await new Client(a.app).staffLogin(staff.email);
      const staffB = await new Client(b.app).staffLogin(staff.email);
      const ownerPath = (userId: number) => `/admin/modules/account_users/accounts/${account.id}/users/${userId}/owner`;
      const answers = await Promise.all([
        heirTab.post(`/account/ownership/${offer.id}/accept`),
        staffA.post(ownerPath(x.id), { access: 'all' }),
        staffB.post(ownerPath(y.id), { access: 'all' }),
      ]);
      noServerError(answers);
      const owners = await onEveryNode((knex) =>
        knex(TABLES.members)
          .where({ account_id: account.id, is_owner: true })
          .select<Array<{ user_id: number }>>('user_id'),
      );
      assert.equal(owners.length, 1, 'one owner');
      const moves = await onEveryNode((knex) =>
        knex(TABLES.log)
          .where({ account_id: account.id, action: 'owner_changed' })
          .orderBy('id')
          .select<Array<{ target_user_id: number; details: unknown }>>('target_user_id', 'details'),
      );
      assert.ok(moves.length >= 1, 'at least one move');
      assert.equal(Number(moves[moves.length - 1].target_user_id), Number(owners[0].user_id), 'the last move logged');
      // Each move was made from the owner the one before it left: none was lost or made twice.
      let previous = owner.id;
      for (const move of moves) {
        const details = parsed(move.details) as {
          previousOwnerId: number;
        };
        assert.equal(details.previousOwnerId, previous);
        previous = Number(move.target_user_id);
      }
      const all = await onEveryNode((knex) => knex(TABLES.members).where({ account_id: account.id }).count({ n: '*' }));
      assert.equal(Number(all[0].n), 4, 'nobody lost access');
    }
  });

  it('parallel permission saves of one member on two nodes: the row is one of the saves, the log a chain', async () => {
    const choices = [['invoices'], ['tickets'], ['domains', 'invoices'], ['quotes']];
    for (let round = 0; round < ROUNDS; round += 1) {
      await forgetRateLimits();
      const { account, owner, members } = await accountWithMembers(1);
      const [dev] = members;
      const tabs = [await loginTo(a.app, owner.email, account.id), await loginTo(b.app, owner.email, account.id)];
      const answers = await Promise.all(
        choices.map((keys, i) =>
          tabs[i % 2].post(`/account/users/${dev.id}/permissions`, { access: 'choose', permissions: keys }),
        ),
      );
      noServerError(answers);
      assert.ok(
        answers.every((r) => r.status === 303),
        'every save is taken, one after another',
      );
      const row = await onEveryNode((knex) =>
        knex(TABLES.members)
          .where({ account_id: account.id, user_id: dev.id })
          .first<{ permissions: string }>('permissions'),
      );
      const final = JSON.parse(String(row.permissions)) as string[];
      assert.ok(
        choices.some((c) => JSON.stringify([...c].sort()) === JSON.stringify([...final].sort())),
        `${JSON.stringify(final)} is one of the saves`,
      );
      const log = await onEveryNode((knex) =>
        knex(TABLES.log)
          .where({ account_id: account.id, action: 'permissions_changed' })
          .orderBy('id')
          .select<Array<{ details: unknown }>>('details'),
      );
      assert.equal(log.length, choices.length, 'one entry per save');
      // Each entry starts from what the one before it left, and the last ends at the row.
      let before: unknown = 'all';
      for (const entry of log) {
        const details = parsed(entry.details) as {
          from: unknown;
          to: unknown;
        };
        assert.deepEqual(details.from, before);
        before = details.to;
      }
      assert.deepEqual(before, final);
    }
  });

  it('two invitations at once on two nodes into an account with one seat left: at most one', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      await forgetRateLimits();
      const { account, owner } = await accountWithMembers(MAX_USERS - 2);
      const tabs = [await loginTo(a.app, owner.email, account.id), await loginTo(b.app, owner.email, account.id)];
      const answers = await Promise.all(
        [0, 1].map((i) =>
          tabs[i].post('/account/users/invite', { email: `seat-${round}-${i}@galera.test`, access: 'all' }),
        ),
      );
      noServerError(answers);
      const used = await onEveryNode(async (knex) => {
        const m = await knex(TABLES.members).where({ account_id: account.id }).count({ n: '*' });
        const i = await knex(TABLES.invites).where({ account_id: account.id }).whereNotNull('pending_email').count({
          n: '*',
        });
        return Number(m[0].n) + Number(i[0].n);
      });
      assert.ok(used <= MAX_USERS, `${used} users and invitations for ${MAX_USERS} seats`);
      assert.equal(answers.filter((r) => r.status === 303).length, 1, 'one invitation is made');
    }
  });
});
