import assert from 'node:assert/strict';
import type { Client } from '../helpers/portal';
import { buildWorld, inviteByHttp, login, loginTo, type World } from './fixture';
import { allRows, count, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import { Refusal } from '../../module/errors';
import { fromJson } from '../helpers/rows';
import { replaceMethod } from '../helpers/replace';

const PARALLEL = 50;

/** The invariants the database must keep under any interleaving. */
async function assertInvariants(w: World): Promise<void> {
  const k = w.tp.knex;
  const owners = await k(TABLES.members)
    .whereNotNull('is_owner')
    .groupBy('account_id')
    .select('account_id')
    .count<Array<{ account_id: number; n: number | string }>>({ n: '*' });
  for (const o of owners) assert.equal(Number(o.n), 1, `account ${o.account_id} has one owner`);
  const accounts = await allRows(w.tp, 'accounts');
  assert.equal(owners.length, accounts.length, 'every account has an owner');
  const dupMembers = await k(TABLES.members)
    .groupBy('account_id', 'user_id')
    .having(k.raw('count(*) > 1'))
    .select('account_id', 'user_id');
  assert.deepEqual(dupMembers, [], 'one membership per user and account');
  const dupInvites = await k(TABLES.invites)
    .whereNotNull('pending_email')
    .groupBy('account_id', 'pending_email')
    .having(k.raw('count(*) > 1'))
    .select('account_id', 'pending_email');
  assert.deepEqual(dupInvites, [], 'one pending invitation per account and address');
  const claimedAndPending = await k(TABLES.invites)
    .whereNotNull('accepted_at')
    .whereNotNull('pending_email')
    .select('id');
  assert.deepEqual(claimedAndPending, [], 'an accepted invitation is no longer pending');
}

/** Many requests at once against one invitation, one address, one member and one account's ownership. */
describe('security: concurrency (50 requests at once)', function () {
  this.timeout(120_000);
  let w: World;
  let owner: Client;
  beforeEach(async () => {
    w = await buildWorld();
    await w.tp.setSettings({ invitesPerHour: 1000 });
    owner = await loginTo(w.tp, w.alice.email, w.acme.id);
  });
  afterEach(() => w.tp.close());

  it(`${PARALLEL} people accepting one invitation at once: exactly one gets in`, async () => {
    await w.tp.setSettings({ requireInvitedAddress: false });
    const { id, token } = await inviteByHttp(w.tp, owner, 'race@victim.test');
    const racers: Array<{ id: number; client: Client }> = [];
    for (let i = 0; i < PARALLEL; i += 1) {
      const user = await w.tp.f.user({ email: `racer${i}@victim.test` });
      const client = await login(w.tp, user.email);
      await client.tokenFor(`/account/invite/${token}/accept`);
      racers.push({ id: user.id, client });
    }
    const results = await Promise.all(racers.map((r) => r.client.post(`/account/invite/${token}/accept`)));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 303).length, 1, `one success: ${statuses.join(',')}`);
    assert.ok(
      statuses.filter((s) => s !== 303).every((s) => s === 404),
      `the others see the invitation as used: ${statuses.join(',')}`,
    );
    const invite = (await allRows(w.tp, TABLES.invites, { id }))[0];
    const joined = await allRows(w.tp, TABLES.members, (q) =>
      q.where('account_id', w.acme.id).whereIn(
        'user_id',
        racers.map((r) => r.id),
      ),
    );
    assert.equal(joined.length, 1, 'one membership was made');
    assert.equal(Number(joined[0].user_id), Number(invite.accepted_by));
    assert.equal(invite.pending_email, null);
    assert.equal(await count(w.tp, TABLES.log, { account_id: w.acme.id, action: 'invite_accepted' }), 1, 'logged once');
    await assertInvariants(w);
  });

  it(`the invitee accepting in ${PARALLEL} tabs at once: one membership, every tab lands in the account`, async () => {
    const { token } = await inviteByHttp(w.tp, owner, 'tabs@victim.test');
    const invitee = await w.tp.f.user({ email: 'tabs@victim.test' });
    const sessions: Client[] = [];
    for (let i = 0; i < 5; i += 1) sessions.push(await login(w.tp, invitee.email));
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) => sessions[i % sessions.length].post(`/account/invite/${token}/accept`)),
    );
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 303),
      `every tab is sent into the account: ${statuses.join(',')}`,
    );
    assert.equal(await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: invitee.id }), 1);
    assert.equal(await count(w.tp, TABLES.log, { account_id: w.acme.id, action: 'invite_accepted' }), 1);
    await assertInvariants(w);
  });

  it(`${PARALLEL} invitations of one address at once: one pending invitation and one e-mail`, async () => {
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        owner.post('/account/users/invite', { email: 'Same@Victim.test ', access: 'all' }),
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(','));
    assert.ok(
      statuses.filter((s) => s !== 303).every((s) => s === 409),
      statuses.join(','),
    );
    assert.equal(await count(w.tp, TABLES.invites, { account_id: w.acme.id, email: 'same@victim.test' }), 1);
    assert.equal(await count(w.tp, 'outbox', { to_address: 'same@victim.test' }), 1);
    assert.equal(
      await count(w.tp, TABLES.log, { account_id: w.acme.id, action: 'invite_sent', target_email: 'same@victim.test' }),
      1,
    );
    await assertInvariants(w);
  });

  it(`${PARALLEL} invitations of different addresses at once, limit of 10 users: never over the limit`, async () => {
    await w.tp.setSettings({ maxUsersPerAccount: 10 });
    const before =
      (await count(w.tp, TABLES.members, { account_id: w.acme.id })) +
      (await count(w.tp, TABLES.invites, (q) => q.where('account_id', w.acme.id).whereNotNull('pending_email')));
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        owner.post('/account/users/invite', { email: `many${i}@victim.test`, access: 'all' }),
      ),
    );
    assert.ok(
      results.every((r) => r.status === 303 || r.status === 422),
      `made or refused over the limit: ${results.map((r) => r.status).join(',')}`,
    );
    const made = results.filter((r) => r.status === 303).length;
    assert.equal(made, 10 - before, `${made} made from ${before} used`);
    const pending = await w.tp
      .knex(TABLES.invites)
      .where('account_id', w.acme.id)
      .whereNotNull('pending_email')
      .select('id');
    assert.equal((await count(w.tp, TABLES.members, { account_id: w.acme.id })) + pending.length, 10);
    await assertInvariants(w);
  });

  it(`${PARALLEL} permission saves of one member at once: the last save wins whole, and each is logged`, async () => {
    const choices = Array.from({ length: PARALLEL }, (_, i) =>
      i % 5 === 0 ? 'all' : ['tickets', 'invoices', 'domains', 'products', 'quotes'].slice(0, 1 + (i % 5)),
    );
    const results = await Promise.all(
      choices.map((c) =>
        owner.post(
          `/account/users/${w.dev.id}/permissions`,
          c === 'all' ? { access: 'all' } : { access: 'choose', permissions: c },
        ),
      ),
    );
    assert.ok(
      results.every((r) => r.status === 303),
      results.map((r) => r.status).join(','),
    );
    const member = await allRows(w.tp, TABLES.members, { account_id: w.acme.id, user_id: w.dev.id });
    assert.equal(member.length, 1);
    assert.equal(member[0].is_owner, null);
    // Keys are stored in catalogue order, so choices compare as sets.
    const norm = (c: unknown) => JSON.stringify(Array.isArray(c) ? c.slice().sort() : c);
    const final = member[0].all_permissions ? 'all' : fromJson(member[0].permissions);
    assert.ok(
      choices.some((c) => norm(c) === norm(final)),
      `the final state ${JSON.stringify(final)} is one that was sent`,
    );
    const log = await allRows(w.tp, TABLES.log, (q) =>
      q.where({ account_id: w.acme.id, action: 'permissions_changed', target_user_id: w.dev.id }).orderBy('id'),
    );
    assert.ok(log.length >= 1 && log.length <= PARALLEL);
    const last = fromJson(log[log.length - 1].details) as { to: unknown };
    assert.equal(norm(last.to), norm(final), 'the last log entry says what the member has');
    // The audit trail is a chain: each change starts from what the change before it left.
    for (let i = 1; i < log.length; i += 1) {
      const prev = fromJson(log[i - 1].details) as { to: unknown };
      const next = fromJson(log[i].details) as { from: unknown };
      assert.equal(norm(next.from), norm(prev.to), `log entry ${i + 1} starts where entry ${i} ended`);
    }
    await assertInvariants(w);
  });

  it('removal racing permission saves of the same member: removed or not, never half', async () => {
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () =>
        owner.post(`/account/users/${w.dev.id}/permissions`, { access: 'choose', permissions: ['tickets'] }),
      ),
      owner.post(`/account/users/${w.dev.id}/remove`),
      ...Array.from({ length: 20 }, () => owner.post(`/account/users/${w.dev.id}/permissions`, { access: 'all' })),
    ]);
    assert.ok(
      results.every((r) => r.status === 303 || r.status === 404),
      results.map((r) => r.status).join(','),
    );
    assert.equal(await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: w.dev.id }), 0);
    assert.equal(
      await count(w.tp, TABLES.log, { account_id: w.acme.id, action: 'removed', target_user_id: w.dev.id }),
      1,
    );
    await assertInvariants(w);
  });

  it('accepting and cancelling one invitation at once: either accepted or cancelled, never both', async () => {
    for (let round = 0; round < 5; round += 1) {
      const email = `either${round}@victim.test`;
      const { id, token } = await inviteByHttp(w.tp, owner, email);
      const invitee = await w.tp.f.user({ email });
      const client = await login(w.tp, email);
      // The invitee has the invitation page (and its form token) open before either click.
      await client.tokenFor(`/account/invite/${token}/accept`);
      const [acc, can] = await Promise.all([
        client.post(`/account/invite/${token}/accept`),
        owner.post(`/account/invites/${id}/cancel`),
      ]);
      assert.ok(
        [303, 404].includes(acc.status) && [303, 404].includes(can.status),
        `accept ${acc.status}, cancel ${can.status}`,
      );
      const invite = (await allRows(w.tp, TABLES.invites, { id }))[0];
      const members = await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: invitee.id });
      assert.ok(!(invite.accepted_at && invite.cancelled_at), 'not both');
      assert.equal(members, invite.accepted_at ? 1 : 0, 'a membership exactly when accepted');
    }
    await assertInvariants(w);
  });

  it(`${PARALLEL} registrations from one invitation link at once: one new login, one membership`, async () => {
    const { token } = await inviteByHttp(w.tp, owner, 'newcomer@victim.test');
    const browsers = await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        const anon = w.tp.anonymous();
        await anon.refreshCsrf(`/account/invite/${token}`);
        return anon;
      }),
    );
    const results = await Promise.all(
      browsers.map((b, i) =>
        b.post(`/account/invite/${token}/register`, {
          firstName: `New${i}`,
          lastName: 'Comer',
          password: 'a-long-password',
          passwordConfirm: 'a-long-password',
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 303 || s === 409 || s === 404),
      statuses.join(','),
    );
    assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(','));
    const users = await allRows(w.tp, 'users', { email: 'newcomer@victim.test' });
    assert.equal(users.length, 1);
    assert.equal(await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: users[0].id }), 1);
    await assertInvariants(w);
  });

  it('resending and accepting one invitation at once: the old link worked or the new one will, not both', async () => {
    for (let round = 0; round < 5; round += 1) {
      const email = `resent${round}@victim.test`;
      const { id, token } = await inviteByHttp(w.tp, owner, email);
      const invitee = await w.tp.f.user({ email });
      const client = await login(w.tp, email);
      await client.tokenFor(`/account/invite/${token}/accept`);
      w.tp.clock.advance(61_000);
      const [acc, res] = await Promise.all([
        client.post(`/account/invite/${token}/accept`),
        owner.post(`/account/invites/${id}/resend`),
      ]);
      // A deadlock between the two rolls one back whole, and it is tried again: no 503, no 500.
      assert.ok([303, 404].includes(acc.status) && [303, 404].includes(res.status), `${acc.status} ${res.status}`);
      const invite = (await allRows(w.tp, TABLES.invites, { id }))[0];
      const members = await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: invitee.id });
      assert.equal(members, invite.accepted_at ? 1 : 0);
      assert.equal(acc.status === 303, Boolean(invite.accepted_at), 'the accept answered as it happened');
      if (invite.accepted_at) assert.equal(invite.pending_email, null);
    }
    await assertInvariants(w);
  });

  it(`${PARALLEL} staff grants of one user to one account at once: one membership`, async () => {
    const admin = await w.tp.staffLogin();
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        admin.post(`/admin/modules/account_users/accounts/${w.acme.id}/users`, { email: w.sam.email, access: 'all' }),
      ),
    );
    const statuses = results.map((r) => r.status);
    // Deadlocked grants are rolled back whole and tried again: no 503 ("try again"), never 500.
    assert.ok(
      statuses.every((s) => s === 303 || s === 409),
      statuses.join(','),
    );
    assert.equal(statuses.filter((s) => s === 303).length, 1, statuses.join(','));
    assert.equal(await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: w.sam.id }), 1);
    assert.equal(await count(w.tp, TABLES.log, { account_id: w.acme.id, target_user_id: w.sam.id }), 1);
    await assertInvariants(w);
  });

  it(`${PARALLEL} resends and staff additions at once on one account: deadlocks retried, no 503`, async () => {
    const admin = await w.tp.staffLogin();
    const invites: number[] = [];
    for (let i = 0; i < 5; i += 1) invites.push((await inviteByHttp(w.tp, owner, `clicks${i}@victim.test`)).id);
    const users = [];
    for (let i = 0; i < 10; i += 1) users.push(await w.tp.f.user({ email: `added${i}@victim.test` }));
    w.tp.clock.advance(61_000);
    const results = await Promise.all([
      ...Array.from({ length: PARALLEL - users.length }, (_, i) =>
        owner.post(`/account/invites/${invites[i % invites.length]}/resend`),
      ),
      ...users.map((u) =>
        admin.post(`/admin/modules/account_users/accounts/${w.acme.id}/users`, { email: u.email, access: 'all' }),
      ),
    ]);
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 303 || s === 429),
      `sent, added, or a resend refused as too soon: ${statuses.join(',')}`,
    );
    for (const u of users) assert.equal(await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: u.id }), 1);
    await assertInvariants(w);
  });

  it('of two saves of one member at once, the later is compared with what the first left, not dropped', async () => {
    await owner.post(`/account/users/${w.dev.id}/permissions`, { access: 'choose', permissions: ['tickets'] });
    const other = await loginTo(w.tp, w.alice.email, w.acme.id);
    // The second save reads the member ({tickets}); before it decides, the first save commits {invoices}.
    const users = w.tp.portal.accountUsers.services.ctx.host.users;
    const findById = users.findById.bind(users);
    let first: Promise<{ status: number }> | undefined;
    const restore = replaceMethod(users, 'findById', async (id: number) => {
      if (!first) {
        first = other.post(`/account/users/${w.dev.id}/permissions`, { access: 'choose', permissions: ['invoices'] });
        assert.equal((await first).status, 303);
      }
      return findById(id);
    });
    let later;
    try {
      later = await owner.post(`/account/users/${w.dev.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets'],
      });
    } finally {
      restore();
    }
    assert.equal(later.status, 303);
    assert.match((await owner.get('/account/users')).text, /The permissions of Dana Dev were saved/);
    const member = (await allRows(w.tp, TABLES.members, { account_id: w.acme.id, user_id: w.dev.id }))[0];
    assert.deepEqual(JSON.parse(member.permissions), ['tickets'], 'the later save is what stays');
    const log = await allRows(w.tp, TABLES.log, (q) =>
      q.where({ account_id: w.acme.id, action: 'permissions_changed', target_user_id: w.dev.id }).orderBy('id'),
    );
    assert.deepEqual(
      log.slice(-2).map((r) => fromJson(r.details)),
      [
        { from: ['tickets'], to: ['invoices'] },
        { from: ['invoices'], to: ['tickets'] },
      ],
    );
  });

  it(`${PARALLEL} ownership moves at once by staff: one owner, nobody loses access, the host follows`, async () => {
    const admin = await w.tp.staffLogin();
    const candidates: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const user = await w.tp.f.user({ email: `staffheir${i}@victim.test` });
      await w.tp.f.member(w.acme.id, user.id, ['tickets']);
      candidates.push(user.id);
    }
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        admin.post(
          `/admin/modules/account_users/accounts/${w.acme.id}/users/${candidates[i % candidates.length]}/owner`,
          { access: 'all' },
        ),
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 303 || s === 409),
      statuses.join(','),
    );
    const owners = await allRows(w.tp, TABLES.members, { account_id: w.acme.id, is_owner: true });
    assert.equal(owners.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const account = await foundRow(w.tp, 'accounts', { id: w.acme.id });
    assert.equal(Number(account.primary_user_id), Number(owners[0].user_id));
    for (const id of [w.alice.id, ...candidates]) {
      assert.equal(await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: id }), 1);
    }
    const moves = await count(w.tp, TABLES.log, { account_id: w.acme.id, action: 'owner_changed' });
    // A move to whoever is owner by then changes nothing and logs nothing; every other one is logged.
    assert.ok(moves >= 1 && moves <= statuses.filter((s) => s === 303).length, `${moves} moves logged`);
    await assertInvariants(w);
  });

  it(`${PARALLEL / 2} ownership moves at once: one owner, the host's primary user follows the last owner`, async () => {
    const candidates: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const user = await w.tp.f.user({ email: `heir${i}@victim.test` });
      await w.tp.f.member(w.acme.id, user.id, ['tickets']);
      candidates.push(user.id);
    }
    const { members } = w.tp.portal.accountUsers.services;
    const actor = { type: 'admin' as const, id: 1, name: 'Admin', ip: null };
    const outcomes = await Promise.allSettled(
      Array.from({ length: PARALLEL / 2 }, (_, i) =>
        members.makeOwner(actor, w.acme.id, candidates[i % candidates.length]),
      ),
    );
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    for (const r of refused) {
      const e = r.reason as { code?: string };
      // A move that lost the race is refused cleanly (a conflict, the unique index or a deadlock), never half-applied.
      assert.ok(
        (e instanceof Refusal && e.kind === 'conflict') ||
          /ER_DUP_ENTRY|ER_LOCK_DEADLOCK|SQLITE_CONSTRAINT/.test(String(e.code)),
        `unexpected: ${String(r.reason)}`,
      );
    }
    assert.ok(outcomes.some((o) => o.status === 'fulfilled'));
    const owners = await allRows(w.tp, TABLES.members, { account_id: w.acme.id, is_owner: true });
    assert.equal(owners.length, 1);
    const ownerId = Number(owners[0].user_id);
    assert.ok([...candidates, w.alice.id].includes(ownerId));
    // The portal's own record settles on the same person once every event has run.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const account = await foundRow(w.tp, 'accounts', { id: w.acme.id });
    assert.equal(Number(account.primary_user_id), ownerId);
    // Everyone who was owner on the way keeps a membership with all permissions.
    for (const id of [w.alice.id, ...candidates]) {
      assert.equal(await count(w.tp, TABLES.members, { account_id: w.acme.id, user_id: id }), 1);
    }
    await assertInvariants(w);
  });
});
