import assert from 'node:assert/strict';
import { Client, setupPortal, type TestPortal } from '../helpers/portal';

/** Shared computers and proxies must not keep a signed-in person's pages or the admin area. */
describe('security: signed-in pages are not cached', () => {
  let tp: TestPortal;
  before(async () => {
    tp = await setupPortal();
  });
  after(() => tp.close());

  it('every page of a signed-in person says Cache-Control: no-store, error pages included', async () => {
    const alice = await tp.f.user({ email: 'alice@cache.test' });
    await tp.f.account({ name: 'Acme', ownerId: alice.id });
    const client = await tp.login(alice.email);
    for (const path of [
      '/',
      '/invoices',
      '/services',
      '/profile',
      '/settings',
      '/account/users',
      '/account/activity',
      '/account/switch',
      '/no-such-page',
    ]) {
      const res = await client.get(path);
      assert.equal(res.headers['cache-control'], 'no-store', path);
    }
  });

  it('every page of the admin area says no-store, its sign-in page too', async () => {
    const staff = await tp.f.admin({ email: 'staff@cache.test' });
    const client = new Client(tp.app);
    assert.equal((await client.get('/admin/login')).headers['cache-control'], 'no-store');
    await client.staffLogin(staff.email);
    for (const path of [
      '/admin',
      '/admin/modules',
      '/admin/modules/account_users/',
      '/admin/modules/account_users/accounts?q=a',
    ]) {
      assert.equal((await client.get(path)).headers['cache-control'], 'no-store', path);
    }
  });
});
