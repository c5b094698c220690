import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, membership, type DemoLike } from '../users/setup';
import { textOf } from '../admin/helpers';
import { count } from '../helpers/db';
import { TABLES } from '../../module/tables';

describe('module deactivated', () => {
  let tp: TestPortal;
  let d: DemoLike;
  let alice: Client;
  let dev: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    await tp
      .knex(TABLES.members)
      .where({ account_id: d.acme.id, user_id: d.dev.id })
      .update({ all_permissions: false, permissions: JSON.stringify(['tickets']) });
    alice = await tp.login(d.alice.email);
    await alice.refreshCsrf('/account/users');
    dev = await loginTo(tp, d.dev.email, d.acme.id);
    await tp.setActive(false);
  });
  afterEach(() => tp.close());

  it('answers 404 on every User Management route and changes nothing', async () => {
    for (const path of [
      '/account/users',
      `/account/users/${d.dev.id}/permissions`,
      `/account/users/${d.dev.id}/remove`,
      '/account/activity',
      '/account/leave',
    ]) {
      assert.equal((await alice.get(path)).status, 404, `GET ${path}`);
    }
    assert.equal((await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'all' })).status, 404);
    assert.equal((await alice.post(`/account/users/${d.dev.id}/remove`)).status, 404);
    assert.equal((await dev.post('/account/leave')).status, 404);
    const row = await membership(tp, d.acme.id, d.dev.id);
    assert.deepEqual(JSON.parse(row.permissions), ['tickets'], 'data kept, untouched');
  });

  it('host pages fall back to the primary user: full access for them, none for other users', async () => {
    for (const path of ['/services', '/domains', '/invoices', '/quotes', '/tickets', '/profile', '/contacts']) {
      assert.equal((await alice.get(path)).status, 200, `${path} for the primary user`);
      const res = await dev.get(path);
      assert.equal(res.status, 302, `${path} for a member who is not primary`);
      assert.equal(res.headers.location, '/no-account');
    }
    const home = (await alice.get('/')).text;
    assert.doesNotMatch(home, /User Management|Switch Account/);
    for (const href of ['/services', '/domains', '/invoices', '/quotes', '/tickets', '/profile', '/contacts'])
      assert.ok(home.includes(`href="${href}"`), href);
  });

  it('activated again, memberships and their permissions decide once more', async () => {
    await tp.setActive(true);
    assert.equal((await dev.get('/tickets')).status, 200);
    assert.equal((await dev.get('/invoices')).status, 403);
    assert.equal((await alice.get('/account/users')).status, 200);
  });

  describe('an invited user while it is off', () => {
    let link: { path: string };
    beforeEach(async () => {
      link = await tp.f.invite(d.acme.id, { email: 'newcomer@example.test', permissions: ['tickets'] });
    });

    it('the invitation link says access is paused until the hosting company turns it on; changes nothing', async () => {
      const before = {
        invites: await count(tp, TABLES.invites, { pending_email: 'newcomer@example.test' }),
        members: await count(tp, TABLES.members),
      };
      const page = await tp.anonymous().get(link.path);
      assert.equal(page.status, 503);
      assert.equal(page.headers['cache-control'], 'no-store');
      const text = textOf(page.text);
      assert.match(text, /Access is paused/);
      assert.match(
        text,
        new RegExp(
          [
            /You have been invited to Acme Web Studio, but access for invited users is paused at the moment:/.source,
            / the hosting company has switched it off for now\./.source,
          ].join(''),
        ),
      );
      assert.match(
        text,
        /You do not need a new invitation: once the hosting company turns it back on, this link works again until/,
      );
      assert.doesNotMatch(text, /ask the account owner|not valid/i);
      assert.doesNotMatch(page.text, /<form[^>]*invite/, 'nothing to accept or register while off');
      // Accepting or registering stays impossible while off.
      const member = await tp.login(d.dev.email);
      assert.equal((await member.post(`${link.path}/accept`)).status, 404);
      assert.deepEqual(
        {
          invites: await count(tp, TABLES.invites, { pending_email: 'newcomer@example.test' }),
          members: await count(tp, TABLES.members),
        },
        before,
      );
      // Switched on again, the same link is the invitation page once more.
      await tp.setActive(true);
      const again = await tp.anonymous().get(link.path);
      assert.equal(again.status, 200);
      assert.match(textOf(again.text), /Acme Web Studio/);
    });

    it('in German too', async () => {
      const page = await tp.anonymous().get(link.path).set('Accept-Language', 'de');
      assert.equal(page.status, 503);
      const text = textOf(page.text);
      assert.match(text, /Der Zugriff ruht/);
      assert.match(
        text,
        /Sie wurden zu Acme Web Studio eingeladen, aber der Zugriff für eingeladene Benutzer ruht zurzeit/,
      );
    });

    it("an unknown or cancelled link is still the portal's plain 404", async () => {
      assert.equal((await tp.anonymous().get(`/account/invite/${'x'.repeat(43)}`)).status, 404);
      await tp.knex(TABLES.invites).update({ cancelled_at: Date.now(), pending_email: null });
      const cancelled = await tp.anonymous().get(link.path);
      assert.equal(cancelled.status, 404);
      assert.doesNotMatch(textOf(cancelled.text), /Access is paused/);
    });

    it('at sign-in, a user given access by an owner hears it is paused, not to ask for a new invitation', async () => {
      const member = await tp.login(d.dev.email);
      assert.equal(member.lastLoginRedirect, '/no-account');
      const page = await member.get('/no-account');
      const text = textOf(page.text);
      assert.match(
        text,
        new RegExp(
          [
            /If an account owner gave you access to their account, that access is paused at the moment:/.source,
            / the hosting company has switched it off for now\./.source,
            / Once they turn it back on, your access is back as it was; you do not need a new invitation\./.source,
          ].join(''),
        ),
      );
      assert.doesNotMatch(text, /invite you again/);
    });

    it('after uninstalling, the link is gone and the page no longer speaks of a pause', async () => {
      await tp.portal.accountUsers.uninstall();
      await tp.portal.registry.remove();
      assert.equal((await tp.anonymous().get(link.path)).status, 404);
      const member = await tp.login(d.dev.email);
      assert.match(textOf((await member.get('/no-account')).text), /ask the account owner to invite you again/);
    });
  });
});
