import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';
import { allRows, foundRow } from '../helpers/db';

const USERS = 5000;

describe('User Management with 5,000 users', function () {
  this.timeout(120_000);
  let tp: TestPortal;
  let owner: Client;
  let accountId: number;

  before(async () => {
    tp = await setupPortal();
    const account = await tp.f.account({ name: 'Big Agency' });
    accountId = account.id;
    const now = Date.now();
    const users = Array.from({ length: USERS }, (_, i) => ({
      email: `member${String(i).padStart(4, '0')}@big.test`,
      password_hash: 'x',
      first_name: `Member${String(i).padStart(4, '0')}`,
      last_name: i === 4321 ? 'Needle' : 'Person',
      locale: null,
      created_at: now,
    }));
    await tp.knex.batchInsert('users', users, 500);
    const ids = await allRows(tp, 'users', (q) => q.where('email', 'like', '%@big.test'));
    await tp.knex.batchInsert(
      TABLES.members,
      ids.map((u) => ({
        account_id: accountId,
        user_id: u.id,
        is_owner: null,
        all_permissions: false,
        permissions: '["tickets"]',
        invited_by: null,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })),
      500,
    );
    const email = (await foundRow(tp, 'users', { id: account.ownerId })).email;
    owner = await tp.login(email);
  });
  after(() => tp.close());

  const rowCount = (html: string) => (html.match(/<th scope="row"[^>]*>/g) ?? []).length;

  async function timed(path: string) {
    const started = process.hrtime.bigint();
    const res = await owner.get(path);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { res, ms };
  }

  it('shows 50 a page with the owner first and pages to the end', async () => {
    const { res, ms } = await timed('/account/users');
    assert.equal(res.status, 200);
    assert.match(res.text, /5001 users/);
    assert.equal(rowCount(res.text), 50);
    assert.match(res.text, /badge-owner/);
    assert.match(res.text, /Page 1 of 101/);
    const last = await timed('/account/users?page=101');
    assert.equal(rowCount(last.res.text), 1);
    assert.match(last.res.text, /Member4999/);
    const beyond = await owner.get('/account/users?page=5000');
    assert.match(beyond.text, /Page 101 of 101/, 'a page past the end shows the last one');
    if (process.env.TEST_VERBOSE)
      console.log(`      first page ${ms.toFixed(0)} ms, last page ${last.ms.toFixed(0)} ms`);
    assert.ok(ms < 2000 && last.ms < 2000, 'pages answer quickly');
  });

  it('finds one user among 5,000 by name or e-mail', async () => {
    const byName = await timed('/account/users?q=needle');
    assert.match(byName.res.text, /1 user found/);
    assert.match(byName.res.text, /Member4321 Needle/);
    const byEmail = await timed('/account/users?q=member0042%40big');
    assert.match(byEmail.res.text, /1 user found/);
    const many = await timed('/account/users?q=member1');
    assert.match(many.res.text, /1000 users found/);
    assert.equal(rowCount(many.res.text), 50);
    assert.match(many.res.text, /href="\/account\/users\?page=2&amp;q=member1" rel="next"/);
    if (process.env.TEST_VERBOSE)
      console.log(
        `      search by name ${byName.ms.toFixed(0)} ms, by e-mail ${byEmail.ms.toFixed(0)} ms, ` +
          `1,000 matches ${many.ms.toFixed(0)} ms`,
      );
    assert.ok(byName.ms < 2000 && byEmail.ms < 2000 && many.ms < 2000);
  });

  it('opens Manage Permissions of a user deep in the list', async () => {
    const id = (await foundRow(tp, 'users', { email: 'member4999@big.test' })).id;
    assert.equal((await owner.get(`/account/users/${id}/permissions`)).status, 200);
  });
});
