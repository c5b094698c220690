import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, membership, type DemoLike } from '../users/setup';

describe('module deactivated', () => {
  let tp: TestPortal;
  let d: DemoLike;
  let alice: Client;
  let dev: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    await tp.knex('mod_account_users_members').where({ account_id: d.acme.id, user_id: d.dev.id }).update({ all_permissions: false, permissions: JSON.stringify(['tickets']) });
    alice = await tp.login(d.alice.email);
    await alice.refreshCsrf('/account/users');
    dev = await loginTo(tp, d.dev.email, d.acme.id);
    await tp.setActive(false);
  });
  afterEach(() => tp.close());

  it('answers 404 on every User Management route and changes nothing', async () => {
    for (const path of ['/account/users', `/account/users/${d.dev.id}/permissions`, `/account/users/${d.dev.id}/remove`, '/account/activity', '/account/leave']) {
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
    for (const href of ['/services', '/domains', '/invoices', '/quotes', '/tickets', '/profile', '/contacts']) assert.ok(home.includes(`href="${href}"`), href);
  });

  it('activated again, memberships and their permissions decide once more', async () => {
    await tp.setActive(true);
    assert.equal((await dev.get('/tickets')).status, 200);
    assert.equal((await dev.get('/invoices')).status, 403);
    assert.equal((await alice.get('/account/users')).status, 200);
  });
});
