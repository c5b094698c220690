import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { count, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';

const MODULE_TABLES = [
  TABLES.members,
  TABLES.invites,
  TABLES.log,
  TABLES.mailQueue,
  TABLES.ownershipOffers,
  TABLES.migrations,
];

describe('module lifecycle', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal({ active: false });
    await tp.portal.accountUsers.uninstall();
  });
  afterEach(() => tp.close());

  it('activate creates the tables and makes each primary user the owner; twice is harmless', async () => {
    const a = await tp.f.account({ name: 'One' });
    const b = await tp.f.account({ name: 'Two' });
    for (const table of MODULE_TABLES)
      assert.equal(await tp.knex.schema.hasTable(table), false, `${table} absent before`);
    const first = await tp.portal.accountUsers.activate();
    assert.equal(first.params?.owners, 2);
    for (const table of MODULE_TABLES)
      assert.equal(await tp.knex.schema.hasTable(table), true, `${table} present after`);
    const second = await tp.portal.accountUsers.activate();
    assert.equal(second.params?.owners, 0);
    assert.equal(await count(tp, TABLES.members), 2);
    assert.equal(await count(tp, TABLES.members, { account_id: a.id, user_id: a.ownerId, is_owner: true }), 1);
    assert.equal(await count(tp, TABLES.members, { account_id: b.id, user_id: b.ownerId, is_owner: true }), 1);
  });

  it('two activations at once still give each account exactly one owner', async () => {
    for (let i = 0; i < 5; i += 1) await tp.f.account();
    await tp.portal.accountUsers.activate();
    await tp.knex(TABLES.members).del();
    await Promise.all([tp.portal.accountUsers.activate(), tp.portal.accountUsers.activate()]);
    assert.equal(await count(tp, TABLES.members, { is_owner: true }), 5);
  });

  it('uninstall drops only the module tables and keeps the host data', async () => {
    await tp.f.account({ name: 'Kept Ltd' });
    await tp.portal.accountUsers.activate();
    await tp.portal.accountUsers.uninstall();
    for (const table of MODULE_TABLES) assert.equal(await tp.knex.schema.hasTable(table), false);
    assert.equal(await count(tp, 'accounts', { name: 'Kept Ltd' }), 1);
    assert.equal(await tp.knex.schema.hasTable('users'), true);
  });

  it('the admin Modules page activates, deactivates, uninstalls; deactivated hides menus and answers 404', async () => {
    const account = await tp.f.account({ name: 'Menu Co' });
    const other = await tp.f.user();
    const admin = await tp.f.admin();
    const adminClient = await tp.staffLogin(admin.email);

    assert.equal((await adminClient.post('/admin/modules/lifecycle', { action: 'activate' })).status, 303);
    assert.equal(tp.portal.registry.current().active, true);
    await tp.f.member(account.id, other.id, ['tickets']);

    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const client = await tp.login(owner.email);
    assert.match((await client.get('/')).text, /User Management/);
    assert.equal((await client.get('/account/switch')).status, 200);

    assert.equal(
      (await adminClient.post('/admin/modules/lifecycle', { action: 'deactivate', confirm: 'yes' })).status,
      303,
    );
    const home = await client.get('/');
    assert.equal(home.status, 200, 'the primary user still signs in to their account');
    assert.doesNotMatch(home.text, /User Management/);
    assert.equal((await client.get('/account/switch')).status, 404);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id }), 2, 'data kept while off');
    // Without the module, only the primary user opens the account.
    const member = await tp.login(other.email);
    assert.equal((await member.get('/tickets')).status, 302);

    assert.equal((await adminClient.post('/admin/modules/lifecycle', { action: 'activate' })).status, 303);
    assert.match((await client.get('/')).text, /User Management/);
    assert.equal((await member.get('/tickets')).status, 200, 'memberships decide again');

    await adminClient.post('/admin/modules/lifecycle', { action: 'deactivate', confirm: 'yes' });
    await adminClient.post('/admin/modules/lifecycle', { action: 'uninstall', confirm: 'yes' });
    assert.equal(await tp.knex.schema.hasTable(TABLES.members), false);
    assert.equal(await count(tp, 'accounts', { id: account.id }), 1);
  });

  it('refuses uninstall while the module is active', async () => {
    const admin = await tp.f.admin();
    const adminClient = await tp.staffLogin(admin.email);
    await adminClient.post('/admin/modules/lifecycle', { action: 'activate' });
    await adminClient.post('/admin/modules/lifecycle', { action: 'uninstall', confirm: 'yes' });
    assert.equal(await tp.knex.schema.hasTable(TABLES.members), true);
    assert.match((await adminClient.get('/admin/modules')).text, /Deactivate the module before uninstalling it/);
  });
});
