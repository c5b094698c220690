import assert from 'node:assert/strict';
import { bareHost, type BareHost } from './bare-host';

describe('host contract: isActive may answer with a promise', () => {
  let host: BareHost;
  afterEach(() => host.close());

  it('switched off by a Promise<false>: the module answers 404, requirePermission lets the host decide', async () => {
    let active = true;
    host = await bareHost({ isActive: () => new Promise((resolve) => setImmediate(() => resolve(active))) });
    const owner = await host.user('Olga', 'Owner');
    const member = await host.user('Max', 'Member');
    const accountId = await host.account('Olive Hosting', owner.id);
    await host.module.activate();
    await host.member(accountId, member.id, ['services'], owner.id);
    const ownerClient = await host.signIn(owner.id);
    const memberClient = await host.signIn(member.id);
    const staff = await host.signInAdmin(await host.admin());

    // On (a Promise<true>): the module's pages answer and its guard refuses a missing permission.
    assert.equal((await ownerClient.get('/account/users')).status, 200);
    assert.equal((await staff.get('/admin/account-users/settings')).status, 200);
    assert.equal((await memberClient.get('/invoices')).status, 403);

    active = false;
    for (const [client, path] of [
      [ownerClient, '/account/users'],
      [ownerClient, '/account/switch'],
      [staff, '/admin/account-users/settings'],
      [staff, `/admin/account-users/accounts/${accountId}`],
    ] as const) {
      const res = await client.get(path);
      assert.equal(res.status, 404, `${path} answered ${res.status}`);
      assert.equal(res.text, 'host not found', `${path} is the host's own 404`);
    }
    const post = await ownerClient.post('/account/users/invite', { email: 'x@example.test', access: 'all' });
    assert.equal(post.status, 404);
    // The guard passes through: the host's own rules apply, as before the module existed.
    const invoices = await memberClient.get('/invoices');
    assert.equal(invoices.status, 200);
    assert.equal(invoices.text, 'host invoices');
    assert.equal(host.mails.length, 0);
  });
});
