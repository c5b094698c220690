import assert from 'node:assert/strict';
import { allRows, count } from '../helpers/db';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';

/** An account row written by the portal alone (an import, an API): no member row, no hook. */
async function bareAccount(tp: TestPortal, name: string, primaryUserId: number): Promise<number> {
  const [id] = await tp.knex('accounts').insert({
    name,
    email: `${name.replace(/\W/g, '').toLowerCase()}@example.test`,
    status: 'active',
    primary_user_id: primaryUserId,
    created_at: Date.now(),
  });
  return Number(id);
}

async function ownerLog(tp: TestPortal, accountId: number): Promise<string[]> {
  const rows = await allRows(tp, TABLES.log, (q) =>
    q
      .where('account_id', accountId)
      .whereIn('action', ['owner_account_created', 'owner_repaired', 'owner_backfilled', 'owner_changed'])
      .orderBy('id'),
  );
  return rows.map((r) => r.action);
}

async function ownerOf(tp: TestPortal, accountId: number): Promise<number[]> {
  const rows = await allRows(tp, TABLES.members, { account_id: accountId, is_owner: true });
  return rows.map((r) => Number(r.user_id));
}

describe('host contract: owners of accounts made after activation', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('AccountCreated makes the primary user owner at once, logged as owner_account_created', async () => {
    const user = await tp.f.user({ firstName: 'Nils', lastName: 'New' });
    const accountId = await bareAccount(tp, 'Fresh Start Ltd', user.id);
    await tp.portal.hooks.emit('AccountCreated', { accountId });

    // Before any sign-in: the hook alone made the owner.
    assert.deepEqual(await ownerOf(tp, accountId), [user.id]);
    assert.deepEqual(await ownerLog(tp, accountId), ['owner_account_created']);

    const client = await tp.login(user.email);
    const users = await client.get('/account/users');
    assert.equal(users.status, 200);
    assert.match(users.text, /<h1>User Management<\/h1>/);
    // The sign-in found nothing to repair.
    assert.deepEqual(await ownerLog(tp, accountId), ['owner_account_created']);
  });

  it('an ownerless account gets its primary user as owner at sign-in, logged once as owner_repaired', async () => {
    const user = await tp.f.user({ firstName: 'Ida', lastName: 'Import' });
    const accountId = await bareAccount(tp, 'Imported Co', user.id);
    assert.deepEqual(await ownerOf(tp, accountId), []);

    const client = await tp.login(user.email);
    assert.deepEqual(await ownerOf(tp, accountId), [user.id]);
    assert.deepEqual(await ownerLog(tp, accountId), ['owner_repaired']);
    assert.equal((await client.get('/account/users')).status, 200);

    // A second sign-in changes nothing.
    const again = await tp.login(user.email);
    assert.equal((await again.get('/account/users')).status, 200);
    assert.deepEqual(await ownerLog(tp, accountId), ['owner_repaired']);
    assert.equal(await count(tp, TABLES.members, { account_id: accountId }), 1);
  });
});
