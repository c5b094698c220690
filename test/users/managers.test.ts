import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, membership, findMembership, type DemoLike } from './setup';
import { allRows, count, firstRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import { fromJson } from '../helpers/rows';

const ADMIN = '/admin/modules/account_users';

/**
 * User managers: bob owns Blue Fish and makes dev (products and tickets there) a user manager;
 * Rita is a regular user of Blue Fish with tickets.
 */
describe('user managers (Manage users)', () => {
  let tp: TestPortal;
  let d: DemoLike;
  let bob: Client;
  let dev: Client;
  let rita: { id: number; email: string };

  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    rita = await tp.f.user({ email: 'rita@example.test', firstName: 'Rita', lastName: 'Regular' });
    await tp.f.member(d.blueFish.id, rita.id, ['tickets']);
    bob = await tp.login(d.bob.email);
    const res = await bob.post(`/account/users/${d.dev.id}/permissions`, {
      access: 'choose',
      permissions: ['products', 'tickets', 'manageusers'],
    });
    assert.equal(res.status, 303);
    dev = await loginTo(tp, d.dev.email, d.blueFish.id);
  });
  afterEach(() => tp.close());

  /** Everything a refused attempt could have changed in the portal. */
  async function state(): Promise<string> {
    const members = await allRows(tp, TABLES.members, (q) => q.orderBy('id'));
    const invites = await allRows(tp, TABLES.invites, (q) => q.orderBy('id'));
    return JSON.stringify({
      members: members.map((m) => [m.account_id, m.user_id, m.is_owner, Boolean(m.all_permissions), m.permissions]),
      invites: invites.map((i) => [i.id, Boolean(i.all_permissions), i.permissions, i.pending_email]),
      log: await count(tp, TABLES.log),
      mails: await count(tp, 'outbox'),
    });
  }

  async function refusedUnchanged(
    attempt: () => Promise<{ status: number; text: string }>,
    status: number,
    message?: RegExp,
  ): Promise<void> {
    const before = await state();
    const res = await attempt();
    assert.equal(res.status, status, res.text.slice(0, 400));
    if (message) assert.match(res.text, message);
    assert.equal(await state(), before, 'nothing changed');
  }

  async function keysOf(accountId: number, userId: number): Promise<{ all: boolean; keys: string[] }> {
    const row = await membership(tp, accountId, userId);
    return { all: Boolean(row.all_permissions), keys: fromJson(row.permissions) as string[] };
  }

  const BEYOND = /You can give only the permissions you hold yourself\. Nothing was changed\./;

  describe('All Permissions does not imply it', () => {
    it('a member with All Permissions but without Manage users can not open User Management', async () => {
      // dev has All Permissions in Acme, without Manage users.
      const inAcme = await loginTo(tp, d.dev.email, d.acme.id);
      const other = await tp.f.user();
      await tp.f.member(d.acme.id, other.id, ['tickets']);
      const page = await inAcme.get('/account/users');
      assert.equal(page.status, 403);
      assert.match(page.text, /Only the account owner or a user with “Manage users” can manage users\./);
      assert.doesNotMatch((await inAcme.get('/account/switch')).text, /href="\/account\/users"/);
      await refusedUnchanged(
        () =>
          inAcme.post(`/account/users/${other.id}/permissions`, {
            access: 'choose',
            permissions: ['tickets', 'manageusers'],
          }),
        403,
      );
      await refusedUnchanged(() => inAcme.post(`/account/users/${other.id}/remove`), 403);
      await refusedUnchanged(
        () =>
          inAcme.post('/account/users/invite', { email: 'x@example.com', access: 'choose', permissions: 'tickets' }),
        403,
      );
    });

    it('the owner gives All Permissions and Manage users together; the list names both', async () => {
      const res = await bob.post(`/account/users/${rita.id}/permissions`, {
        access: 'all',
        permissions: 'manageusers',
      });
      assert.equal(res.status, 303);
      assert.deepEqual(await keysOf(d.blueFish.id, rita.id), { all: true, keys: ['manageusers'] });
      assert.match((await bob.get('/account/users')).text, /All permissions, Manage users/);
      // All Permissions with other ticked boxes is still refused as before.
      await refusedUnchanged(
        () => bob.post(`/account/users/${rita.id}/permissions`, { access: 'all', permissions: ['tickets'] }),
        422,
      );
    });
  });

  describe('what a manager sees', () => {
    it('User Management with the boxes they may give; no actions on the owner’s or their own row', async () => {
      const page = await dev.get('/account/users');
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /href="\/account\/activity"/, 'the activity log stays the owner’s');
      assert.doesNotMatch(page.text, new RegExp(`/account/users/${d.bob.id}/`));
      assert.doesNotMatch(page.text, new RegExp(`/account/users/${d.dev.id}/`));
      assert.match(page.text, new RegExp(`href="/account/users/${rita.id}/permissions"`));
      assert.doesNotMatch(page.text, /ownership\?userId=/);
      assert.match(page.text, /You can give only the permissions you hold yourself/);
      assert.match(page.text, /id="invite-perm-invoices"[^>]* disabled/);
      assert.doesNotMatch(page.text, /id="invite-perm-tickets"[^>]* disabled/);
      assert.match(page.text, /id="invite-access-all"[^>]* disabled/);
      const form = await dev.get(`/account/users/${rita.id}/permissions`);
      assert.equal(form.status, 200);
      assert.match(form.text, /id="perm-invoices"[^>]* disabled/);
      assert.doesNotMatch(form.text, /id="perm-manageusers"[^>]* disabled/);
      for (const path of [`/account/users/${d.bob.id}/permissions`, `/account/users/${d.dev.id}/remove`])
        assert.equal((await dev.get(path)).status, 403, path);
      assert.equal((await dev.get('/account/activity')).status, 403);
      assert.equal((await dev.get('/account/ownership')).status, 403);
    });
  });

  describe('every escalation is refused and changes nothing', () => {
    it('a permission they lack, All Permissions, the owner, themselves', async () => {
      const perms = (userId: number, fields: Record<string, string | string[]>) =>
        dev.post(`/account/users/${userId}/permissions`, fields);
      await refusedUnchanged(
        () => perms(rita.id, { access: 'choose', permissions: ['tickets', 'invoices'] }),
        403,
        BEYOND,
      );
      await refusedUnchanged(
        () => perms(rita.id, { access: 'all' }),
        403,
        /Only someone who has All Permissions can give All Permissions/,
      );
      await refusedUnchanged(() => perms(d.bob.id, { access: 'choose', permissions: ['tickets'] }), 403);
      await refusedUnchanged(() => dev.post(`/account/users/${d.bob.id}/remove`), 403);
      await refusedUnchanged(
        () => perms(d.dev.id, { access: 'choose', permissions: ['products', 'tickets', 'manageusers', 'invoices'] }),
        403,
        /You can not change or remove your own access here/,
      );
      await refusedUnchanged(() => perms(d.dev.id, { access: 'choose', permissions: ['tickets'] }), 403);
      await refusedUnchanged(() => dev.post(`/account/users/${d.dev.id}/remove`), 403);
      // A user of another account is not found from here.
      await refusedUnchanged(() => perms(d.alice.id, { access: 'choose', permissions: ['tickets'] }), 404);
    });

    it('invitations: single and bulk with more than they hold, and an invitation changed beyond it', async () => {
      const invite = (email: string, fields: Record<string, string | string[]>) =>
        dev.post('/account/users/invite', { email, ...fields });
      await refusedUnchanged(
        () => invite('new@example.com', { access: 'choose', permissions: ['tickets', 'invoices'] }),
        403,
        BEYOND,
      );
      await refusedUnchanged(() => invite('new@example.com', { access: 'all' }), 403);
      await refusedUnchanged(
        () => invite('a@example.com, b@example.com', { access: 'choose', permissions: ['invoices'] }),
        403,
        BEYOND,
      );
      const pending = await tp.f.invite(d.blueFish.id, { email: 'tess@example.com', permissions: ['tickets'] });
      await refusedUnchanged(
        () => dev.post(`/account/invites/${pending.id}/access`, { access: 'choose', permissions: ['invoices'] }),
        403,
        BEYOND,
      );
      await refusedUnchanged(() => dev.post(`/account/invites/${pending.id}/access`, { access: 'all' }), 403);
    });

    it('in an account where they are no manager: 403, and ids of another account are not found', async () => {
      const inAcme = await loginTo(tp, d.dev.email, d.acme.id);
      await refusedUnchanged(
        () => inAcme.post(`/account/users/${rita.id}/permissions`, { access: 'choose', permissions: ['tickets'] }),
        403,
      );
      // Back in Blue Fish, Acme's invitation is not found.
      const acmeInvite = await tp.f.invite(d.acme.id, { permissions: ['tickets'] });
      await refusedUnchanged(
        () => dev.post(`/account/invites/${acmeInvite.id}/access`, { access: 'choose', permissions: ['tickets'] }),
        404,
      );
    });

    it('a manager who lost Manage users is refused at once', async () => {
      assert.equal(
        (
          await bob.post(`/account/users/${d.dev.id}/permissions`, {
            access: 'choose',
            permissions: ['products', 'tickets'],
          })
        ).status,
        303,
      );
      await refusedUnchanged(
        () => dev.post(`/account/users/${rita.id}/permissions`, { access: 'choose', permissions: ['products'] }),
        403,
      );
    });

    it('parallel saves: a grant racing the owner taking the permission away never outlives it', async () => {
      for (let round = 0; round < 3; round++) {
        await tp
          .knex(TABLES.members)
          .where({ account_id: d.blueFish.id, user_id: rita.id })
          .update({
            permissions: JSON.stringify(['tickets']),
          });
        await tp
          .knex(TABLES.members)
          .where({ account_id: d.blueFish.id, user_id: d.dev.id })
          .update({
            permissions: JSON.stringify(['products', 'tickets', 'manageusers']),
          });
        const [grant, beyond, owner] = await Promise.all([
          dev.post(`/account/users/${rita.id}/permissions`, { access: 'choose', permissions: ['tickets', 'products'] }),
          dev.post(`/account/users/${rita.id}/permissions`, { access: 'choose', permissions: ['tickets', 'invoices'] }),
          bob.post(`/account/users/${d.dev.id}/permissions`, {
            access: 'choose',
            permissions: ['tickets', 'manageusers'],
          }),
        ]);
        assert.equal(owner.status, 303);
        assert.equal(beyond.status, 403);
        const rita2 = await keysOf(d.blueFish.id, rita.id);
        assert.ok(!rita2.keys.includes('invoices'));
        const changes = await allRows(tp, TABLES.log, (q) =>
          q.where({ account_id: d.blueFish.id, action: 'permissions_changed' }).orderBy('id', 'desc').limit(2),
        );
        if (grant.status === 303) {
          // Granted while dev still held products: logged before the owner's change.
          assert.deepEqual(rita2.keys, ['products', 'tickets']);
          assert.equal(Number(changes[0].target_user_id), d.dev.id);
          assert.equal(Number(changes[1].target_user_id), rita.id);
        } else {
          assert.equal(grant.status, 403);
          assert.deepEqual(rita2.keys, ['tickets']);
        }
      }
    });
  });

  describe('what a manager may do', () => {
    it('invites with tickets only, changes and removes a user; the log and staff pages name the manager', async () => {
      const sent = await dev.post('/account/users/invite', {
        email: 'tina@example.com',
        access: 'choose',
        permissions: 'tickets',
      });
      assert.equal(sent.status, 303);
      const invite = await firstRow(tp, TABLES.invites, { pending_email: 'tina@example.com' });
      assert.ok(invite);
      assert.equal(Boolean(invite.all_permissions), false);
      assert.deepEqual(fromJson(invite.permissions), ['tickets']);
      assert.equal(Number(invite.invited_by), d.dev.id);

      // Keeping what Rita already has is no grant, even beside what dev lacks.
      await tp
        .knex(TABLES.members)
        .where({ account_id: d.blueFish.id, user_id: rita.id })
        .update({
          permissions: JSON.stringify(['invoices', 'tickets']),
        });
      const changed = await dev.post(`/account/users/${rita.id}/permissions`, {
        access: 'choose',
        permissions: ['invoices', 'products', 'manageusers'],
      });
      assert.equal(changed.status, 303);
      assert.deepEqual(await keysOf(d.blueFish.id, rita.id), {
        all: false,
        keys: ['products', 'invoices', 'manageusers'],
      });
      const removed = await dev.post(`/account/users/${rita.id}/remove`);
      assert.equal(removed.status, 303);
      assert.equal(await findMembership(tp, d.blueFish.id, rita.id), undefined);

      const log = await allRows(tp, TABLES.log, (q) =>
        q.where('account_id', d.blueFish.id).whereIn('action', ['invite_sent', 'permissions_changed', 'removed']),
      );
      const byDev = log.filter((r) => Number(r.actor_id) === d.dev.id);
      assert.deepEqual(byDev.map((r) => r.action).sort(), ['invite_sent', 'permissions_changed', 'removed']);
      assert.ok(byDev.every((r) => r.actor_name === 'Dana Developer'));

      const activity = await bob.get('/account/activity');
      assert.match(activity.text, /Dana Developer/);
      const staff = await tp.staffLogin();
      const account = await staff.get(`${ADMIN}/accounts/${d.blueFish.id}`);
      assert.equal(account.status, 200);
      assert.match(account.text, /Products, Support tickets, Manage users|Manage users/);
      const staffLog = await staff.get(`${ADMIN}/accounts/${d.blueFish.id}/log`);
      assert.match(staffLog.text, /Dana Developer/);
    });

    it('the owner changes and removes a manager like anyone else', async () => {
      const changed = await bob.post(`/account/users/${d.dev.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets'],
      });
      assert.equal(changed.status, 303);
      assert.deepEqual(await keysOf(d.blueFish.id, d.dev.id), { all: false, keys: ['tickets'] });
      assert.equal((await bob.post(`/account/users/${d.dev.id}/remove`)).status, 303);
      assert.equal(await findMembership(tp, d.blueFish.id, d.dev.id), undefined);
    });
  });
});
