import assert from 'node:assert/strict';
import { seedDemo, DEMO_PASSWORD } from '../../host/seed';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { BASE, lastLog, member, owners, textOf } from './helpers';
import { foundRow } from '../helpers/db';

describe('done when: staff make dev the owner of Blue Fish Bakery on the demo data', () => {
  let tp: TestPortal;
  before(async () => {
    tp = await setupPortal({ active: false });
    await seedDemo(tp.portal, tp.knex);
  });
  after(() => tp.close());

  it('admin finds dev in two accounts, makes dev owner, sees bob turn regular user and reads the log', async () => {
    const id = async (table: 'users' | 'accounts', where: Record<string, string>) =>
      Number((await foundRow(tp, table, where)).id);
    const devId = await id('users', { email: 'dev@example.com' });
    const bobId = await id('users', { email: 'bob@example.com' });
    const blueFishId = await id('accounts', { name: 'Blue Fish Bakery' });
    const admin = await tp.staffLogin('admin@example.com', DEMO_PASSWORD);

    // The admin menu leads to the module's page, which offers the user search.
    const home = await admin.get('/admin');
    assert.match(home.text, new RegExp(`href="${BASE}"`));
    assert.match((await admin.get(BASE)).text, /name="q"/);

    const found = await admin.get(`${BASE}/users?q=${encodeURIComponent('dev@example.com')}`);
    assert.match(textOf(found.text), /1 user matches/);
    const userLink = `${BASE}/users/${devId}`;
    assert.match(found.text, new RegExp(`href="${userLink}"`));

    const user = textOf((await admin.get(userLink)).text);
    assert.match(user, /2 accounts/);
    assert.match(user, /Acme Web Studio User All permissions/);
    assert.match(user, /Blue Fish Bakery User View services, Support tickets/);

    const account = `${BASE}/accounts/${blueFishId}`;
    assert.match(textOf((await admin.get(account)).text), /Owner: Bob Baker \(bob@example\.com\)/);
    const confirm = await admin.get(`${account}/users/${devId}/owner`);
    assert.match(
      textOf(confirm.text),
      /Are you sure you want to make Dana Developer \(dev@example\.com\) the owner of Blue Fish Bakery\?/,
    );
    admin.csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1];
    const moved = await admin.post(`${account}/users/${devId}/owner`, { access: 'all' });
    assert.equal(moved.status, 303);

    const after = textOf((await admin.get(moved.headers.location)).text);
    assert.match(after, /Dana Developer is now the owner of Blue Fish Bakery\./);
    assert.match(after, /Owner: Dana Developer \(dev@example\.com\)/);
    assert.match(after, /Dana Developer Owner dev@example\.com All permissions/);
    assert.match(after, /Bob Baker bob@example\.com All permissions .* Make Owner Bob Baker Remove Access Bob Baker/);
    assert.deepEqual(await owners(tp, blueFishId), [devId]);
    assert.equal((await member(tp, blueFishId, bobId)).is_owner, null);
    assert.equal(Boolean((await member(tp, blueFishId, bobId)).all_permissions), true);
    assert.equal(Number((await foundRow(tp, 'accounts', { id: blueFishId })).primary_user_id), devId);

    const log = textOf((await admin.get(`${account}/log`)).text);
    assert.match(log, /Ada Admin \(support staff\) Made account owner Dana Developer Previous owner: Bob Baker/);
    const entry = await lastLog(tp, blueFishId);
    assert.deepEqual([entry.action, entry.actor_type, entry.actor_name], ['owner_changed', 'admin', 'Ada Admin']);
    assert.match(
      textOf((await admin.get(`${userLink}/log?action=owner_changed`)).text),
      /Blue Fish Bakery Ada Admin \(support staff\) Made account owner Dana Developer/,
    );

    // Dev now manages Blue Fish's users; bob is a regular user with all permissions.
    const dev = await tp.login('dev@example.com', DEMO_PASSWORD);
    await dev.refreshCsrf('/account/switch');
    assert.equal((await dev.post('/account/switch', { accountId: String(blueFishId) })).status, 303);
    assert.equal((await dev.get('/account/users')).status, 200);
    const bob = await tp.login('bob@example.com', DEMO_PASSWORD);
    assert.equal((await bob.get('/account/users')).status, 403);
    assert.equal((await bob.get('/invoices')).status, 200);
  });
});
