import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { allRows, backend, count, foundRow } from '../helpers/db';
import { adminWorld, BASE, findMember, lastLog, member, owners, textOf, type AdminWorld } from './helpers';
import { TABLES } from '../../module/tables';
import { fromJson } from '../helpers/rows';

describe('admin: Make Owner, direct access and Remove Access', () => {
  let tp: TestPortal;
  let w: AdminWorld;
  let admin: Client;
  let blue: string;
  beforeEach(async () => {
    tp = await setupPortal();
    w = await adminWorld(tp);
    admin = await tp.staffLogin(w.admin.email);
    blue = `${BASE}/accounts/${w.blueFish.id}`;
  });
  afterEach(() => tp.close());

  describe('Make Owner', () => {
    it('asks first; makes dev owner, bob keeps All Permissions, log names the admin, the portal follows', async () => {
      const confirm = await admin.get(`${blue}/users/${w.dev.id}/owner`);
      assert.equal(confirm.status, 200);
      const text = textOf(confirm.text);
      assert.match(
        text,
        /Are you sure you want to make Dana Developer \(dev@example\.test\) the owner of Blue Fish Bakery\?/,
      );
      assert.match(text, /Bob Baker stays a user of the account: choose below what they may do from now on\./);
      assert.match(
        confirm.text,
        /id="keep-access-all" name="access" value="all" checked/,
        'All Permissions is chosen unless staff choose otherwise',
      );
      assert.match(confirm.text, new RegExp(`<form method="post" action="${blue}/users/${w.dev.id}/owner"`));
      assert.deepEqual(await owners(tp, w.blueFish.id), [w.bob.id], 'the confirmation page changes nothing');

      admin.csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1];
      const res = await admin.post(`${blue}/users/${w.dev.id}/owner`, { access: 'all' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, blue);

      assert.deepEqual(await owners(tp, w.blueFish.id), [w.dev.id]);
      const bob = await member(tp, w.blueFish.id, w.bob.id);
      assert.equal(bob.is_owner, null);
      assert.equal(Boolean(bob.all_permissions), true);
      const dev = await member(tp, w.blueFish.id, w.dev.id);
      assert.equal(Boolean(dev.all_permissions), true);
      assert.equal(dev.permissions, '[]');

      const entry = await lastLog(tp, w.blueFish.id);
      assert.equal(entry.action, 'owner_changed');
      assert.equal(entry.actor_type, 'admin');
      assert.equal(Number(entry.actor_id), w.admin.id);
      assert.equal(entry.actor_name, 'Ada Admin');
      assert.equal(Number(entry.target_user_id), w.dev.id);
      assert.deepEqual(fromJson(entry.details), { previousOwnerId: w.bob.id, previousOwnerAccess: 'all' });

      // The host's AccountOwnerChanged listener keeps the primary user in step.
      assert.equal(Number((await foundRow(tp, 'accounts', { id: w.blueFish.id })).primary_user_id), w.dev.id);
      assert.equal(Number((await foundRow(tp, 'accounts', { id: w.acme.id })).primary_user_id), w.alice.id);

      const page = textOf((await admin.get(blue)).text);
      assert.match(page, /Dana Developer is now the owner of Blue Fish Bakery\./);
      assert.match(page, /Owner: Dana Developer \(dev@example\.test\)/);
      assert.match(page, /Bob Baker bob@example\.test All permissions/);
    });

    it('the new owner gets User Management and the old owner no longer does', async () => {
      await admin.post(`${blue}/users/${w.dev.id}/owner`, { access: 'all' });
      const dev = await tp.login(w.dev.email);
      await dev.refreshCsrf('/account/switch');
      await dev.post('/account/switch', { accountId: String(w.blueFish.id) });
      assert.equal((await dev.get('/account/users')).status, 200);
      const bob = await tp.login(w.bob.email);
      assert.equal((await bob.get('/account/users')).status, 403);
      assert.equal((await bob.get('/invoices')).status, 200, 'bob keeps All Permissions');
    });

    it('making the owner the owner again changes nothing and says so', async () => {
      const before = await count(tp, TABLES.log);
      const res = await admin.get(`${blue}/users/${w.bob.id}/owner`);
      assert.equal(res.status, 409);
      assert.match(textOf(res.text), /Bob Baker is already the owner of Blue Fish Bakery\./);
      // Posting the move anyway is not reported as a success either.
      const post = await admin.post(`${blue}/users/${w.bob.id}/owner`, { access: 'all' });
      assert.equal(post.status, 409);
      assert.match(textOf(post.text), /Bob Baker is already the owner of Blue Fish Bakery\./);
      assert.doesNotMatch((await admin.get(blue)).text, /is now the owner/);
      assert.deepEqual(await owners(tp, w.blueFish.id), [w.bob.id]);
      assert.equal(await count(tp, TABLES.log), before, 'no log entry for a move that changed nothing');
    });

    it(`10 parallel Make Owner requests for different users leave exactly one owner (${backend})`, async () => {
      const ids: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const u = await tp.f.user();
        await tp.f.member(w.acme.id, u.id, ['tickets']);
        ids.push(u.id);
      }
      const results = await Promise.all(
        ids.map((id) => admin.post(`${BASE}/accounts/${w.acme.id}/users/${id}/owner`, { access: 'all' })),
      );
      for (const r of results) assert.ok(r.status === 303 || r.status === 409, `answered ${r.status}`);
      const now = await owners(tp, w.acme.id);
      assert.equal(now.length, 1, 'exactly one owner row');
      assert.ok(ids.includes(now[0]));
      const moved = results.filter((r) => r.status === 303).length;
      const log = await allRows(tp, TABLES.log, { account_id: w.acme.id, action: 'owner_changed' });
      assert.equal(log.length, moved, 'one log entry per move');
      // Everyone who held ownership for a moment kept All Permissions when it moved on.
      for (const id of [w.alice.id, ...log.map((l) => Number(l.target_user_id))]) {
        assert.equal(Boolean((await member(tp, w.acme.id, id)).all_permissions), true, `former owner ${id}`);
      }
      assert.equal(Number((await foundRow(tp, 'accounts', { id: w.acme.id })).primary_user_id), now[0]);
    });

    it(`10 parallel ownership moves in the service itself leave exactly one owner (${backend})`, async () => {
      const ids: number[] = [];
      for (let i = 0; i < 10; i += 1) {
        const u = await tp.f.user();
        await tp.f.member(w.acme.id, u.id, 'all');
        ids.push(u.id);
      }
      const { members } = tp.portal.accountUsers.services;
      const actor = { type: 'admin' as const, id: w.admin.id, name: 'Ada Admin' };
      const outcomes = await Promise.allSettled(ids.map((id) => members.makeOwner(actor, w.acme.id, id)));
      assert.ok(outcomes.some((o) => o.status === 'fulfilled'));
      assert.equal((await owners(tp, w.acme.id)).length, 1);
    });
  });

  describe('Remove Access', () => {
    it('asks first; the POST removes dev from Blue Fish only and logs the admin', async () => {
      const confirm = await admin.get(`${blue}/users/${w.dev.id}/remove`);
      assert.equal(confirm.status, 200);
      assert.match(
        textOf(confirm.text),
        /Are you sure you want to remove the access of Dana Developer \(dev@example\.test\) to Blue Fish Bakery\?/,
      );
      assert.ok(await findMember(tp, w.blueFish.id, w.dev.id), 'the confirmation page changes nothing');
      const res = await admin.post(`${blue}/users/${w.dev.id}/remove`);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, blue);
      assert.equal(await findMember(tp, w.blueFish.id, w.dev.id), undefined);
      assert.ok(await findMember(tp, w.acme.id, w.dev.id));
      const entry = await lastLog(tp, w.blueFish.id);
      assert.deepEqual(
        [entry.action, entry.actor_type, entry.actor_name, Number(entry.target_user_id)],
        ['removed', 'admin', 'Ada Admin', w.dev.id],
      );
      assert.match(textOf((await admin.get(blue)).text), /Dana Developer no longer has access to Blue Fish Bakery\./);
    });

    it('refuses to remove the owner, with a message', async () => {
      const page = await admin.get(`${blue}/users/${w.bob.id}/remove`);
      assert.equal(page.status, 403);
      assert.match(textOf(page.text), /Make another user the owner first/);
      const res = await admin.post(`${blue}/users/${w.bob.id}/remove`);
      assert.equal(res.status, 403);
      assert.deepEqual(await owners(tp, w.blueFish.id), [w.bob.id]);
    });
  });

  describe('giving an existing user access directly', () => {
    it('with All Permissions: no e-mail, logged with the admin as actor', async () => {
      const mails = await count(tp, 'outbox');
      const res = await admin.post(`${blue}/users`, { email: ' Alice@Example.test ', access: 'all' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, blue);
      const row = await member(tp, w.blueFish.id, w.alice.id);
      assert.equal(Boolean(row.all_permissions), true);
      assert.equal(row.is_owner, null);
      assert.equal(await count(tp, 'outbox'), mails, 'no e-mail');
      const entry = await lastLog(tp, w.blueFish.id);
      assert.deepEqual(
        [entry.action, entry.actor_type, entry.actor_name, Number(entry.target_user_id)],
        ['user_added', 'admin', 'Ada Admin', w.alice.id],
      );
      assert.deepEqual(fromJson(entry.details), { permissions: 'all' });
      assert.match(textOf((await admin.get(blue)).text), /Alice Archer now has access to Blue Fish Bakery\./);
      // Alice can open Blue Fish at once.
      const alice = await tp.login(w.alice.email);
      await alice.refreshCsrf('/account/switch');
      assert.equal((await alice.post('/account/switch', { accountId: String(w.blueFish.id) })).status, 303);
      assert.equal((await alice.get('/invoices')).status, 200);
    });

    it('with chosen permissions', async () => {
      assert.equal(
        (
          await admin.post(`${blue}/users`, {
            email: w.alice.email,
            access: 'choose',
            permissions: ['invoices', 'tickets'],
          })
        ).status,
        303,
      );
      const row = await member(tp, w.blueFish.id, w.alice.id);
      assert.equal(Boolean(row.all_permissions), false);
      assert.deepEqual(JSON.parse(row.permissions), ['invoices', 'tickets']);
      assert.deepEqual(fromJson((await lastLog(tp, w.blueFish.id)).details), { permissions: ['invoices', 'tickets'] });
    });

    const refusals: Array<[string, Record<string, string | string[]>, number, RegExp]> = [
      [
        'an unknown address',
        { email: 'nobody@example.test', access: 'all' },
        422,
        /No user has the e-mail address nobody@example\.test\. Send an invitation instead\./,
      ],
      ['an empty address', { email: '', access: 'all' }, 422, /Please enter the e-mail address of an existing user\./],
      [
        'a user who already has access',
        { email: 'dev@example.test', access: 'all' },
        409,
        /dev@example\.test already has access to this account\. Nothing was changed\./,
      ],
      [
        'the owner',
        { email: 'bob@example.test', access: 'choose', permissions: ['tickets'] },
        409,
        /bob@example\.test already has access to this account/,
      ],
      [
        'no permission chosen',
        { email: 'alice@example.test', access: 'choose' },
        422,
        /Please choose at least one permission\./,
      ],
      [
        'an unknown permission',
        { email: 'alice@example.test', access: 'choose', permissions: ['root'] },
        422,
        /One of the chosen permissions does not exist/,
      ],
      [
        'no access choice',
        { email: 'alice@example.test' },
        422,
        /Please choose All Permissions or Choose Permissions\./,
      ],
    ];
    for (const [what, fields, status, message] of refusals) {
      it(`refuses ${what} with a message on the form and changes nothing`, async () => {
        const before = { members: await count(tp, TABLES.members), log: await count(tp, TABLES.log) };
        const res = await admin.post(`${blue}/users`, fields);
        assert.equal(res.status, status);
        assert.match(textOf(res.text), message);
        assert.match(res.text, /aria-invalid="true"|aria-describedby="add-permissions-error"/);
        assert.deepEqual({ members: await count(tp, TABLES.members), log: await count(tp, TABLES.log) }, before);
        const dev = await member(tp, w.blueFish.id, w.dev.id);
        assert.deepEqual(
          JSON.parse(dev.permissions),
          ['products', 'tickets'],
          'an existing member keeps what they had',
        );
      });
    }

    it('keeps within the maximum users per account', async () => {
      await tp.setSettings({ maxUsersPerAccount: 2 });
      const res = await admin.post(`${blue}/users`, { email: w.alice.email, access: 'all' });
      assert.equal(res.status, 422);
      assert.match(textOf(res.text), /This account has reached its limit of 2 users\. Nothing was changed\./);
      assert.equal(await findMember(tp, w.blueFish.id, w.alice.id), undefined);
      await tp.setSettings({ maxUsersPerAccount: 3 });
      assert.equal((await admin.post(`${blue}/users`, { email: w.alice.email, access: 'all' })).status, 303);
    });
  });
});
