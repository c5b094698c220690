import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { count } from '../helpers/db';
import { TABLES } from '../../module/tables';

const DAY = 86_400_000;

/** Log entries written `daysAgo` before the clock's now, as the module writes them. */
async function entries(tp: TestPortal, n: number, daysAgo: number, action = 'account_switched'): Promise<void> {
  const createdAt = tp.clock.now() - daysAgo * DAY;
  const rows = Array.from({ length: n }, () => ({
    account_id: 1,
    actor_type: 'user',
    actor_id: 1,
    actor_name: 'Old Entry',
    action,
    created_at: createdAt,
  }));
  for (let i = 0; i < rows.length; i += 500) await tp.knex(TABLES.log).insert(rows.slice(i, i + 500));
}

describe('activity log retention (logRetentionDays)', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('the periodic pass deletes entries older than the setting and keeps the newer ones', async () => {
    await entries(tp, 2500, 800);
    await entries(tp, 3, 700, 'removed');
    const kept = await count(tp, TABLES.log);
    const res = await tp.portal.accountUsers.sweep();
    assert.equal(res.logDeleted, 2500, 'in batches, all old entries in one pass');
    assert.equal(await count(tp, TABLES.log), kept - 2500);
    assert.equal(await count(tp, TABLES.log, { action: 'removed' }), 3, 'entries within 730 days stay');
    assert.equal((await tp.portal.accountUsers.sweep()).logDeleted, 0, 'nothing more to delete');
  });

  it('a shorter retention deletes more; 0 keeps everything', async () => {
    await entries(tp, 4, 40);
    await entries(tp, 2, 10);
    await tp.setSettings({ logRetentionDays: 0 });
    assert.equal((await tp.portal.accountUsers.sweep()).logDeleted, 0);
    assert.equal(await count(tp, TABLES.log, { actor_name: 'Old Entry' }), 6);
    await tp.setSettings({ logRetentionDays: 30 });
    assert.equal((await tp.portal.accountUsers.sweep()).logDeleted, 4);
    assert.equal(await count(tp, TABLES.log, { actor_name: 'Old Entry' }), 2);
  });
});
