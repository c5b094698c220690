import assert from 'node:assert/strict';
import { seedDemo, DEMO_PASSWORD } from '../../host/seed';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, logActions, findMembership, type DemoLike } from './setup';
import { foundRow } from '../helpers/db';

describe('done when: alice narrows and removes dev in Acme', () => {
  let tp: TestPortal;
  let d: DemoLike;
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
  });
  afterEach(() => tp.close());

  it("narrowing to tickets: dev's next Invoices gets 403, no Billing menu; removal: chooser; all logged", async () => {
    const alice = await tp.login(d.alice.email);
    const dev = await loginTo(tp, d.dev.email, d.acme.id);
    const before = await dev.get('/invoices');
    assert.equal(before.status, 200);
    assert.match(before.text, /<summary>Billing<\/summary>/);

    const page = await alice.get(`/account/users/${d.dev.id}/permissions`);
    assert.equal(page.status, 200);
    alice.csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const saved = await alice.post(`/account/users/${d.dev.id}/permissions`, {
      access: 'choose',
      permissions: ['tickets'],
    });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.location, '/account/users');

    const denied = await dev.get('/invoices');
    assert.equal(denied.status, 403);
    assert.match(denied.text, /Invoices/);
    assert.match(denied.text, /Alice Archer \(alice@example.test\)/);
    assert.doesNotMatch(denied.text, /<summary>Billing<\/summary>/);
    assert.doesNotMatch(denied.text, /href="\/invoices"/);
    assert.equal((await dev.get('/tickets')).status, 200);

    await alice.refreshCsrf(`/account/users/${d.dev.id}/remove`);
    const removed = await alice.post(`/account/users/${d.dev.id}/remove`);
    assert.equal(removed.status, 303);
    assert.equal(await findMembership(tp, d.acme.id, d.dev.id), undefined);

    const next = await dev.get('/tickets');
    assert.equal(next.status, 302);
    assert.match(next.headers.location, /^\/account\/switch\?returnTo=%2Ftickets$/);
    const chooser = await dev.get(next.headers.location);
    assert.match(chooser.text, /Your access to that account has ended/);
    assert.match(chooser.text, /Blue Fish Bakery/);
    assert.doesNotMatch(chooser.text, /Acme Web Studio/);

    assert.deepEqual(
      (await logActions(tp, d.acme.id)).filter((a) => a !== 'account_switched'),
      ['permissions_changed', 'removed'],
    );
    const log = await alice.get('/account/activity');
    assert.equal(log.status, 200);
    assert.match(log.text, /Changed permissions/);
    assert.match(log.text, /From All permissions to Support tickets/);
    assert.match(log.text, /Removed access/);
    assert.match(log.text, /Dana Developer/);
  });

  it('works the same on the real demo data', async () => {
    await tp.close();
    tp = await setupPortal({ active: false });
    await seedDemo(tp.portal, tp.knex);
    const id = async (email: string) => Number((await foundRow(tp, 'users', { email })).id);
    const acmeId = Number((await foundRow(tp, 'accounts', { name: 'Acme Web Studio' })).id);
    const devId = await id('dev@example.com');
    const alice = await tp.login('alice@example.com', DEMO_PASSWORD);
    const dev = await tp.login('dev@example.com', DEMO_PASSWORD);
    assert.match(dev.lastLoginRedirect, /^\/account\/switch/, 'dev has two accounts: the chooser');
    await dev.refreshCsrf('/account/switch');
    assert.equal((await dev.post('/account/switch', { accountId: String(acmeId) })).status, 303);
    assert.equal((await dev.get('/invoices')).status, 200);

    await alice.refreshCsrf(`/account/users/${devId}/permissions`);
    assert.equal(
      (await alice.post(`/account/users/${devId}/permissions`, { access: 'choose', permissions: 'tickets' })).status,
      303,
    );
    const denied = await dev.get('/invoices');
    assert.equal(denied.status, 403);
    assert.doesNotMatch(denied.text, /<summary>Billing<\/summary>/);
    assert.match(denied.text, /Alice Archer \(alice@example.com\)/);

    assert.equal((await alice.post(`/account/users/${devId}/remove`)).status, 303);
    const next = await dev.get('/invoices');
    assert.equal(next.status, 302);
    assert.match(next.headers.location, /^\/account\/switch/);

    const log = (await alice.get('/account/activity')).text;
    assert.match(log, /Changed permissions[\s\S]*Dana Developer/);
    assert.match(log, /Removed access/);
    assert.deepEqual(
      (await logActions(tp, acmeId)).filter((a) => a === 'permissions_changed' || a === 'removed'),
      ['permissions_changed', 'removed'],
    );
  });
});
