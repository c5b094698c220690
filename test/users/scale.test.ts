import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';
import { allRows, foundRow } from '../helpers/db';
import { assertWalksBothWays, pagerLink } from '../helpers/pager';

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
  const names = (html: string) => [...html.matchAll(/<th scope="row"[^>]*>([^<]*)/g)].map((m) => m[1].trim());

  async function timed(path: string) {
    const started = process.hrtime.bigint();
    const res = await owner.get(path);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { res, ms };
  }

  it('shows 50 a page with the owner first and pages to the end', async () => {
    const { res, ms } = await timed('/account/users');
    assert.equal(res.status, 200);
    assert.match(res.text, /More than 200 users/, 'the count stops at 200');
    assert.equal(rowCount(res.text), 50);
    assert.match(res.text, /badge-owner/);
    assert.equal(pagerLink(res.text, 'prev'), undefined);
    assert.equal(pagerLink(res.text, 'last'), '/account/users?last=1');
    const last = await timed('/account/users?last=1');
    assert.equal(rowCount(last.res.text), 50, 'the last page is full');
    assert.match(last.res.text, /Member4999/);
    assert.doesNotMatch(last.res.text, /badge-owner/);
    assert.equal(pagerLink(last.res.text, 'next'), undefined);
    assert.equal(pagerLink(last.res.text, 'first'), '/account/users');
    // An old numbered link shows the first page.
    assert.equal(rowCount((await owner.get('/account/users?page=5000')).text), 50);
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
    assert.match(many.res.text, /More than 200 users found/);
    assert.equal(rowCount(many.res.text), 50);
    assert.match(pagerLink(many.res.text, 'next') ?? '', /^\/account\/users\?after=[0-9]+&q=member1$/);
    if (process.env.TEST_VERBOSE)
      console.log(
        `      search by name ${byName.ms.toFixed(0)} ms, by e-mail ${byEmail.ms.toFixed(0)} ms, ` +
          `1,000 matches ${many.ms.toFixed(0)} ms`,
      );
    assert.ok(byName.ms < 2000 && byEmail.ms < 2000 && many.ms < 2000);
  });

  it('walks all 5,001 users with Next and back from the last page with Previous, each once and in order', async () => {
    const members = await allRows(tp, TABLES.members, (q) => q.where('account_id', accountId).orderBy('id'));
    const byId = new Map(
      (
        await allRows(tp, 'users', (q) =>
          q.whereIn(
            'id',
            members.map((m) => m.user_id),
          ),
        )
      ).map((u) => [u.id, u]),
    );
    const ordered = [...members.filter((m) => m.is_owner), ...members.filter((m) => !m.is_owner)];
    const expected = ordered.map((m) => `${byId.get(m.user_id)!.first_name} ${byId.get(m.user_id)!.last_name}`.trim());
    await assertWalksBothWays(owner, '/account/users', names, expected, 50);
    // Searching narrows the walk; every link keeps the search.
    const needles = expected.filter((n) => n.startsWith('Member1'));
    await assertWalksBothWays(owner, '/account/users?q=member1', names, needles, 50);
  });

  it('answers garbage cursors with the first page, and shows nothing of another account', async () => {
    const first = names((await owner.get('/account/users')).text);
    for (const q of [
      'after=abc',
      'before=-1',
      'after=1e3',
      'last=yes',
      'after=1&before=2',
      'after[]=1',
      'after=99999999999',
    ])
      assert.deepEqual(names((await owner.get(`/account/users?${q}`)).text), first, q);
    const other = await tp.f.account({ name: 'Other Co' });
    const stranger = await tp.f.user({ firstName: 'Stranger', lastName: 'Danger' });
    await tp.f.member(other.id, stranger.id);
    const theirs = await foundRow(tp, TABLES.members, { account_id: other.id, user_id: stranger.id });
    for (const c of ['after', 'before']) {
      const res = await owner.get(`/account/users?${c}=${theirs.id}`);
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.text, /Stranger|Other Co/);
    }
  });

  it('opens Manage Permissions of a user deep in the list', async () => {
    const id = (await foundRow(tp, 'users', { email: 'member4999@big.test' })).id;
    assert.equal((await owner.get(`/account/users/${id}/permissions`)).status, 200);
  });
});
