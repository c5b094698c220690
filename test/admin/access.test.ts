import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { adminWorld, BASE, owners, type AdminWorld } from './helpers';
import { count, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';

/** Every admin page and form of the module; ids are filled in from the world. */
function adminPaths(
  w: AdminWorld,
  inviteId: number,
): { gets: string[]; posts: Array<[string, Record<string, string>]> } {
  const acct = `${BASE}/accounts/${w.blueFish.id}`;
  return {
    gets: [
      BASE,
      `${BASE}/users?q=dev`,
      `${BASE}/users/${w.dev.id}`,
      `${BASE}/users/${w.dev.id}/log`,
      `${BASE}/accounts?q=blue`,
      acct,
      `${acct}/log`,
      `${acct}/users/${w.dev.id}/owner`,
      `${acct}/users/${w.dev.id}/remove`,
      `${acct}/users/${w.dev.id}/permissions`,
      `${acct}/invites/${inviteId}/cancel`,
    ],
    posts: [
      [`${acct}/users/${w.dev.id}/owner`, {}],
      [`${acct}/users/${w.dev.id}/remove`, {}],
      [`${acct}/users/${w.dev.id}/permissions`, { access: 'all' }],
      [`${acct}/users`, { email: 'alice@example.test', access: 'all' }],
      [`${acct}/invites`, { email: 'new@example.test', access: 'all' }],
      [`${acct}/invites/${inviteId}/resend`, {}],
      [`${acct}/invites/${inviteId}/cancel`, {}],
    ],
  };
}

describe('admin: only signed-in staff reach the module admin pages', () => {
  let tp: TestPortal;
  let w: AdminWorld;
  let inviteId: number;
  before(async () => {
    tp = await setupPortal();
    w = await adminWorld(tp);
    inviteId = (await tp.f.invite(w.blueFish.id, { email: 'pending@example.test' })).id;
  });
  after(() => tp.close());

  it('sends a client user (even an owner) and a visitor to the admin login page; changes nothing', async () => {
    const { gets, posts } = adminPaths(w, inviteId);
    const owner = await tp.login(w.bob.email);
    await owner.refreshCsrf('/account/users');
    const visitor = tp.anonymous();
    await visitor.refreshCsrf('/login');
    const before = await count(tp, TABLES.log);
    for (const client of [owner, visitor]) {
      for (const path of gets) {
        const res = await client.get(path);
        assert.equal(res.status, 302, `GET ${path}`);
        assert.equal(res.headers.location, `/admin/login?returnTo=${encodeURIComponent(path)}`);
      }
      for (const [path, fields] of posts) {
        const res = await client.post(path, fields);
        assert.equal(res.status, 302, `POST ${path}`);
        assert.match(res.headers.location, /^\/admin\/login\?returnTo=/);
      }
    }
    const login = await owner.get(`/admin/login?returnTo=${encodeURIComponent(BASE)}`);
    assert.equal(login.status, 200);
    assert.match(login.text, /Admin sign in/);
    assert.equal(await count(tp, TABLES.log), before);
    assert.deepEqual(await owners(tp, w.blueFish.id), [w.bob.id]);
    assert.equal(await count(tp, TABLES.members, { account_id: w.blueFish.id }), 2);
  });

  it('lets a signed-in admin open every page, and the admin menu links to it (AdminNavbar)', async () => {
    const admin = await tp.staffLogin(w.admin.email);
    for (const path of adminPaths(w, inviteId).gets) {
      const res = await admin.get(path);
      assert.equal(res.status, 200, `GET ${path}`);
      assert.equal((res.text.match(/<h1[ >]/g) ?? []).length, 1, `one h1 on ${path}`);
    }
    const home = await admin.get('/admin');
    assert.match(home.text, new RegExp(`href="${BASE}"[^>]*>Account Users<`));
  });

  it("answers an admin's returnTo after login with the page asked for", async () => {
    const client = tp.anonymous();
    const path = `${BASE}/accounts/${w.acme.id}`;
    const first = await client.get(path);
    assert.equal(first.status, 302);
    await client.refreshCsrf(first.headers.location);
    const res = await client.post('/admin/login', {
      email: w.admin.email,
      password: 'test-password-1',
      returnTo: path,
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, path);
    assert.equal((await client.get(path)).status, 200);
  });

  it('refuses every admin POST without a valid CSRF token (403) and changes nothing', async () => {
    const admin = await tp.staffLogin(w.admin.email);
    const before = await count(tp, TABLES.log);
    for (const [path, fields] of adminPaths(w, inviteId).posts) {
      for (const token of [undefined, 'not-the-token']) {
        const res = await admin.agent
          .post(path)
          .type('form')
          .send(token === undefined ? fields : { ...fields, _csrf: token });
        assert.equal(res.status, 403, `POST ${path} with ${token ?? 'no'} token`);
        assert.match(res.text, /The form had expired/);
      }
    }
    assert.equal(await count(tp, TABLES.log), before);
    assert.deepEqual(await owners(tp, w.blueFish.id), [w.bob.id]);
    assert.equal(await count(tp, TABLES.invites, { email: 'new@example.test' }), 0);
  });

  it('answers 404 for missing or malformed ids, and for a user or invitation of another account', async () => {
    const admin = await tp.staffLogin(w.admin.email);
    const acme = `${BASE}/accounts/${w.acme.id}`;
    for (const path of [
      `${BASE}/users/999999`,
      `${BASE}/users/abc`,
      `${BASE}/accounts/999999`,
      `${BASE}/accounts/1e3`,
      `${BASE}/accounts/999999/log`,
      `${BASE}/users/999999/log`,
      // Bob is in Blue Fish only; the invitation belongs to Blue Fish.
      `${acme}/users/${w.bob.id}/owner`,
      `${acme}/users/${w.bob.id}/remove`,
      `${acme}/invites/${inviteId}/cancel`,
    ]) {
      assert.equal((await admin.get(path)).status, 404, `GET ${path}`);
    }
    for (const path of [
      `${acme}/users/${w.bob.id}/owner`,
      `${acme}/users/${w.bob.id}/remove`,
      `${acme}/invites/${inviteId}/cancel`,
      `${acme}/invites/${inviteId}/resend`,
    ]) {
      assert.equal((await admin.post(path)).status, 404, `POST ${path}`);
    }
    assert.deepEqual(await owners(tp, w.acme.id), [w.alice.id]);
    assert.equal((await foundRow(tp, TABLES.invites, { id: inviteId })).pending_email, 'pending@example.test');
  });
});
