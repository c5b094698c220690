import assert from 'node:assert/strict';
import { count } from '../helpers/db';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';

function row(accountId: number, userId: number, owner: boolean) {
  const now = Date.now();
  return {
    account_id: accountId,
    user_id: userId,
    is_owner: owner ? true : null,
    all_permissions: true,
    permissions: '[]',
    invited_by: null,
    created_at: now,
    updated_at: now,
    last_login_at: null,
  };
}

/** The guarantees the database itself gives, whatever the application does, also under concurrency. */
describe('database guarantees', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('one membership per account and user, under concurrent inserts', async () => {
    const account = await tp.f.account();
    const user = await tp.f.user();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => tp.knex(TABLES.members).insert(row(account.id, user.id, false))),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id, user_id: user.id }), 1);
  });

  it('at most one owner per account, under concurrent inserts', async () => {
    const account = await tp.f.account();
    const users = await Promise.all(Array.from({ length: 10 }, () => tp.f.user()));
    const results = await Promise.allSettled(
      users.map((u) => tp.knex(TABLES.members).insert(row(account.id, u.id, true))),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 0, 'the account already has its owner');
    assert.equal(await count(tp, TABLES.members, { account_id: account.id, is_owner: true }), 1);
    // Any number of non-owners is fine.
    await Promise.all(users.map((u) => tp.knex(TABLES.members).insert(row(account.id, u.id, false))));
  });

  it('one pending invitation per account and address, under concurrent inserts; closed ones do not count', async () => {
    const account = await tp.f.account();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => tp.f.invite(account.id, { email: 'new@example.test' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    await tp
      .knex(TABLES.invites)
      .where({ account_id: account.id })
      .update({ pending_email: null, cancelled_at: Date.now() });
    await tp.f.invite(account.id, { email: 'new@example.test' });
  });
});
