import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, logActions, findMembership, membership, type DemoLike } from './setup';
import { count, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import { SHIPPED_KEYS } from '../helpers/catalogue';
import { fromJson } from '../helpers/rows';

const CATALOGUE = SHIPPED_KEYS;

describe('User Management for the account owner', () => {
  let tp: TestPortal;
  let d: DemoLike;
  let alice: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    alice = await tp.login(d.alice.email);
    await alice.refreshCsrf('/account/users');
  });
  afterEach(() => tp.close());

  describe('the users list', () => {
    it('lists users: owner badge, permissions, last login ("Never"), date added; owner row: no actions', async () => {
      const blueOnly = await tp.f.user({ firstName: 'Tess', lastName: 'Tickets' });
      await tp.f.member(d.acme.id, blueOnly.id, ['invoices', 'tickets'], {
        lastLoginAt: Date.UTC(2026, 10, 20, 9, 30),
      });
      const res = await alice.get('/account/users');
      assert.equal(res.status, 200);
      assert.equal((res.text.match(/<h1>/g) ?? []).length, 1);
      assert.match(res.text, /<h1>User Management<\/h1>/);
      assert.match(res.text, /3 users/);
      const rowOf = (name: string) => {
        const m = new RegExp(`<tr[^>]*>\\s*<th scope="row"[^>]*>${name}[\\s\\S]*?</tr>`).exec(res.text);
        assert.ok(m, `row of ${name}`);
        return m[0];
      };
      const aliceRow = rowOf('Alice Archer');
      assert.match(aliceRow, /badge-owner">Owner</);
      assert.match(aliceRow, /All permissions/);
      assert.doesNotMatch(aliceRow, /Manage Permissions|Remove Access/);
      const devRow = rowOf('Dana Developer');
      assert.match(devRow, /dev@example.test/);
      assert.match(devRow, /All permissions/);
      assert.match(devRow, /<td[^>]*>Never<\/td>/);
      assert.match(devRow, new RegExp(`href="/account/users/${d.dev.id}/permissions"`));
      assert.match(devRow, new RegExp(`href="/account/users/${d.dev.id}/remove"`));
      assert.doesNotMatch(devRow, /badge-owner/);
      const tessRow = rowOf('Tess Tickets');
      // Catalogue order, translated labels.
      assert.match(tessRow, /Invoices, Support tickets/);
      assert.match(tessRow, /Nov 20, 2026/);
      const year = new Date().getUTCFullYear();
      assert.match(devRow, new RegExp(String(year)), 'date added is shown');
      // Room for invitations.
      assert.doesNotMatch(res.text, /Bob Baker/, 'users of other accounts never appear');
    });

    it('searches by name or e-mail in the database', async () => {
      const ann = await tp.f.user({ email: 'ann.smith@corp.test', firstName: 'Ann', lastName: 'Smith' });
      await tp.f.member(d.acme.id, ann.id, ['tickets']);
      let res = await alice.get('/account/users?q=smith');
      assert.match(res.text, /1 user found/);
      assert.match(res.text, /Ann Smith/);
      assert.doesNotMatch(res.text, /Dana Developer/);
      res = await alice.get('/account/users?q=dev%40example');
      assert.match(res.text, /Dana Developer/);
      assert.doesNotMatch(res.text, /Ann Smith/);
      res = await alice.get('/account/users?q=%25');
      assert.match(res.text, /No user matches your search/);
      res = await alice.get('/account/users?q=bob');
      assert.match(res.text, /0 users found/, 'a user of another account is not found');
    });

    it('shows the User Management menu item to the owner only', async () => {
      assert.match((await alice.get('/')).text, /href="\/account\/users"/);
      const dev = await loginTo(tp, d.dev.email, d.acme.id);
      assert.doesNotMatch((await dev.get('/')).text, /href="\/account\/users"/);
    });
  });

  describe('Manage Permissions', () => {
    it('shows All Permissions / Choose Permissions and a labelled, described checkbox per catalogue key', async () => {
      await tp
        .knex(TABLES.members)
        .where({ account_id: d.acme.id, user_id: d.dev.id })
        .update({ all_permissions: false, permissions: JSON.stringify(['tickets']) });
      const res = await alice.get(`/account/users/${d.dev.id}/permissions`);
      assert.equal(res.status, 200);
      assert.match(res.text, /<h1>Manage Permissions<\/h1>/);
      assert.match(res.text, /Dana Developer \(dev@example.test\)/);
      assert.match(res.text, /<input type="radio" id="access-all" name="access" value="all" aria-describedby/);
      assert.match(res.text, /<input type="radio" id="access-choose" name="access" value="choose" checked/);
      for (const key of CATALOGUE) {
        assert.match(
          res.text,
          new RegExp(`<input type="checkbox" id="perm-${key}" name="permissions" value="${key}"`),
          key,
        );
        assert.match(res.text, new RegExp(`<label for="perm-${key}">`), key);
        assert.match(res.text, new RegExp(`id="perm-${key}-help"`), key);
      }
      assert.match(res.text, /<label for="perm-tickets">Support tickets<\/label>/);
      assert.match(res.text, /Open, view and reply to support tickets\./);
      assert.match(res.text, /id="perm-tickets" name="permissions" value="tickets" checked/);
      assert.doesNotMatch(res.text, /id="perm-invoices" name="permissions" value="invoices" checked/);
      assert.match(res.text, />Save Changes</);
      assert.match(res.text, /name="_csrf" value="[^"]+"/);
    });

    it('saves chosen permissions, logs the change and fires AccountUserPermissionsChanged', async () => {
      const events: Array<Record<string, unknown>> = [];
      tp.portal.hooks.on('AccountUserPermissionsChanged', (p: Record<string, unknown>) => {
        events.push(p);
      });
      const res = await alice.post(`/account/users/${d.dev.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets', 'domains'],
      });
      assert.equal(res.status, 303);
      const row = await membership(tp, d.acme.id, d.dev.id);
      assert.equal(Boolean(row.all_permissions), false);
      assert.deepEqual(JSON.parse(row.permissions), ['domains', 'tickets']);
      const list = await alice.get('/account/users');
      assert.match(list.text, /The permissions of Dana Developer were saved/);
      assert.match(list.text, /View domains, Support tickets/);
      const log = await foundRow(tp, TABLES.log, { account_id: d.acme.id, action: 'permissions_changed' });
      assert.equal(Number(log.actor_id), d.alice.id);
      assert.equal(Number(log.target_user_id), d.dev.id);
      assert.deepEqual(fromJson(log.details), { from: 'all', to: ['domains', 'tickets'] });
      assert.ok(log.ip, 'the IP is recorded');
      assert.equal(events.length, 1);
      assert.equal(events[0].accountId, d.acme.id);
      assert.equal(events[0].userId, d.dev.id);
      assert.equal(events[0].allPermissions, false);
      assert.deepEqual(events[0].permissions, ['domains', 'tickets']);
    });

    it('refuses All Permissions sent with ticked boxes and keeps the access as it was', async () => {
      await tp
        .knex(TABLES.members)
        .where({ account_id: d.acme.id, user_id: d.dev.id })
        .update({ all_permissions: false, permissions: JSON.stringify(['tickets']) });
      const res = await alice.post(`/account/users/${d.dev.id}/permissions`, {
        access: 'all',
        permissions: ['tickets'],
      });
      assert.equal(res.status, 422);
      const row = await membership(tp, d.acme.id, d.dev.id);
      assert.equal(Boolean(row.all_permissions), false);
      assert.deepEqual(JSON.parse(row.permissions), ['tickets']);
    });

    it('saving the same choice again records nothing and fires nothing', async () => {
      let fired = 0;
      tp.portal.hooks.on('AccountUserPermissionsChanged', () => {
        fired += 1;
      });
      const res = await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'all' });
      assert.equal(res.status, 303);
      assert.match((await alice.get('/account/users')).text, /were already as chosen/);
      assert.equal(fired, 0);
      assert.equal(await count(tp, TABLES.log, { action: 'permissions_changed' }), 0);
    });

    it('refuses choosing no permission with the form again and a message; nothing saved', async () => {
      const res = await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'choose' });
      assert.equal(res.status, 422);
      assert.match(
        res.text,
        new RegExp(
          [
            /<div class="au-alert au-alert-error" role="alert" id="permissions-error">/.source,
            /Please choose at least one permission\.<\/div>/.source,
          ].join(''),
        ),
      );
      assert.match(res.text, /aria-describedby="permissions-error"/);
      assert.match(res.text, /id="access-choose" name="access" value="choose" checked/);
      assert.equal(Boolean((await membership(tp, d.acme.id, d.dev.id)).all_permissions), true);
      assert.equal(await count(tp, TABLES.log, { action: 'permissions_changed' }), 0);
    });

    it('refuses a missing or strange access choice', async () => {
      for (const fields of [{}, { access: 'everything' }, { access: ['all', 'choose'] }]) {
        const res = await alice.post(`/account/users/${d.dev.id}/permissions`, fields as Record<string, string>);
        assert.equal(res.status, 422, JSON.stringify(fields));
        assert.match(res.text, /Please choose All Permissions or Choose Permissions/);
      }
      assert.equal(Boolean((await membership(tp, d.acme.id, d.dev.id)).all_permissions), true);
    });

    it('refuses an unknown key and saves nothing, keeping the known ticks on the form', async () => {
      const res = await alice.post(`/account/users/${d.dev.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets', 'superuser'],
      });
      assert.equal(res.status, 422);
      assert.match(res.text, /One of the chosen permissions does not exist\. Nothing was saved\./);
      assert.match(res.text, /id="perm-tickets" name="permissions" value="tickets" checked/);
      assert.doesNotMatch(res.text, /superuser/);
      const row = await membership(tp, d.acme.id, d.dev.id);
      assert.equal(Boolean(row.all_permissions), true);
      assert.deepEqual(JSON.parse(row.permissions), []);
      assert.equal(await count(tp, TABLES.log, { action: 'permissions_changed' }), 0);
    });

    it('ignores extra fields: account id, owner flag, user id (mass assignment)', async () => {
      const res = await alice.post(`/account/users/${d.dev.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets'],
        account_id: String(d.blueFish.id),
        isOwner: '1',
        is_owner: '1',
        owner: '1',
        userId: String(d.bob.id),
        all_permissions: '1',
      });
      assert.equal(res.status, 303);
      const dev = await membership(tp, d.acme.id, d.dev.id);
      assert.equal(dev.is_owner, null);
      assert.equal(Boolean(dev.all_permissions), false);
      assert.deepEqual(JSON.parse(dev.permissions), ['tickets']);
      const inBlueFish = await membership(tp, d.blueFish.id, d.dev.id);
      assert.deepEqual(JSON.parse(inBlueFish.permissions), ['products', 'tickets'], 'the other account is untouched');
      assert.equal(Boolean((await membership(tp, d.acme.id, d.alice.id)).is_owner), true);
      assert.equal(Boolean((await membership(tp, d.blueFish.id, d.bob.id)).is_owner), true);
      assert.equal(await count(tp, TABLES.members, { is_owner: true }), 2);
    });

    it('the owner row can be neither managed nor removed', async () => {
      assert.equal((await alice.get(`/account/users/${d.alice.id}/permissions`)).status, 403);
      const post = await alice.post(`/account/users/${d.alice.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets'],
      });
      assert.equal(post.status, 403);
      assert.match(post.text, /always has every permission/);
      assert.equal((await alice.get(`/account/users/${d.alice.id}/remove`)).status, 403);
      assert.equal((await alice.post(`/account/users/${d.alice.id}/remove`)).status, 403);
      const row = await membership(tp, d.acme.id, d.alice.id);
      assert.equal(Boolean(row.is_owner), true);
      assert.equal(Boolean(row.all_permissions), true);
    });

    it('refuses a POST without the CSRF token and changes nothing', async () => {
      const res = await alice.agent
        .post(`/account/users/${d.dev.id}/permissions`)
        .type('form')
        .send({ access: 'choose', permissions: 'tickets' });
      assert.equal(res.status, 403);
      assert.equal(Boolean((await membership(tp, d.acme.id, d.dev.id)).all_permissions), true);
      const removal = await alice.agent.post(`/account/users/${d.dev.id}/remove`).type('form').send({});
      assert.equal(removal.status, 403);
      assert.ok(await findMembership(tp, d.acme.id, d.dev.id));
    });
  });

  describe('who may use it', () => {
    const routes = (userId: number): Array<[string, string]> => [
      ['get', '/account/users'],
      ['get', `/account/users/${userId}/permissions`],
      ['post', `/account/users/${userId}/permissions`],
      ['get', `/account/users/${userId}/remove`],
      ['post', `/account/users/${userId}/remove`],
      ['get', '/account/activity'],
    ];

    it('answers 403 to a user who is not the owner, even with All Permissions, and changes nothing', async () => {
      const dev = await loginTo(tp, d.dev.email, d.acme.id);
      const other = await tp.f.user();
      await tp.f.member(d.acme.id, other.id, ['tickets']);
      for (const [method, path] of routes(other.id)) {
        const res = method === 'get' ? await dev.get(path) : await dev.post(path, { access: 'all' });
        assert.equal(res.status, 403, `${method} ${path}`);
        // User Management names user managers too; the activity log stays the owner's.
        assert.match(res.text, /Only the account owner (or a user with “Manage users” )?can manage users/);
      }
      assert.ok(await findMembership(tp, d.acme.id, other.id));
      assert.deepEqual(JSON.parse((await membership(tp, d.acme.id, other.id)).permissions), ['tickets']);
    });

    it('answers 404 for users of another account exactly as for ids that do not exist (IDOR)', async () => {
      const bobOnly = await tp.f.user({ firstName: 'Only', lastName: 'Bob' });
      await tp.f.member(d.blueFish.id, bobOnly.id, ['tickets']);
      const missing = 999999;
      for (const [method, path] of routes(bobOnly.id).slice(1, 5)) {
        const res = method === 'get' ? await alice.get(path) : await alice.post(path, { access: 'all' });
        const none =
          method === 'get'
            ? await alice.get(path.replace(String(bobOnly.id), String(missing)))
            : await alice.post(path.replace(String(bobOnly.id), String(missing)), { access: 'all' });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(none.status, 404);
        assert.equal(
          res.text.replace(/value="[0-9a-f]{40,}"/g, ''),
          none.text.replace(/value="[0-9a-f]{40,}"/g, ''),
          `same answer for ${method} ${path}`,
        );
        assert.doesNotMatch(res.text, /Only Bob/);
      }
      // Bob, another account's owner, and a user that is only a host user.
      for (const id of [d.bob.id, (await tp.f.user()).id, 'abc', '0', '1e3', '99999999999']) {
        assert.equal((await alice.get(`/account/users/${id}/permissions`)).status, 404, String(id));
        assert.equal((await alice.post(`/account/users/${id}/remove`)).status, 404, String(id));
      }
      assert.deepEqual(JSON.parse((await membership(tp, d.blueFish.id, bobOnly.id)).permissions), ['tickets']);
      assert.ok(await findMembership(tp, d.blueFish.id, d.bob.id));
      assert.deepEqual(await logActions(tp, d.blueFish.id), []);
    });

    it('an owner of one account and plain user of another manages only the account the session is in', async () => {
      // dev owns a third account; in Acme dev is not the owner.
      const devCo = await tp.f.account({ name: 'Dev Co', ownerId: d.dev.id });
      const helper = await tp.f.user();
      await tp.f.member(devCo.id, helper.id, ['tickets']);
      const dev = await loginTo(tp, d.dev.email, devCo.id);
      assert.equal((await dev.get('/account/users')).status, 200);
      assert.equal((await dev.get(`/account/users/${helper.id}/permissions`)).status, 200);
      await dev.refreshCsrf('/account/switch');
      await dev.post('/account/switch', { accountId: String(d.acme.id) });
      assert.equal((await dev.get('/account/users')).status, 403);
    });

    it('is switched off (404) when the admin turns off client-area user management', async () => {
      await tp.setSettings({ disableClientManagement: true });
      assert.equal((await alice.get('/account/users')).status, 404);
      assert.equal((await alice.post(`/account/users/${d.dev.id}/remove`)).status, 404);
      assert.equal((await alice.get('/account/activity')).status, 404);
      assert.doesNotMatch((await alice.get('/')).text, /href="\/account\/users"/);
      assert.ok(await findMembership(tp, d.acme.id, d.dev.id));
    });
  });
});
