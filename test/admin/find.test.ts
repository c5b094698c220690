import assert from 'node:assert/strict';
import { assertWalksBothWays, pagerLink } from '../helpers/pager';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { adminWorld, BASE, textOf, type AdminWorld } from './helpers';
import { TABLES } from '../../module/tables';

describe('admin: finding users and accounts', () => {
  let tp: TestPortal;
  let w: AdminWorld;
  let admin: Client;
  before(async () => {
    tp = await setupPortal();
    w = await adminWorld(tp);
    admin = await tp.staffLogin(w.admin.email);
  });
  after(() => tp.close());

  it('the module admin home offers both searches', async () => {
    const res = await admin.get(BASE);
    assert.equal(res.status, 200);
    assert.match(res.text, new RegExp(`<form method="get" action="${BASE}/users"`));
    assert.match(res.text, new RegExp(`<form method="get" action="${BASE}/accounts"`));
    assert.match(res.text, /<label for="admin-user-q">/);
    assert.match(res.text, /<label for="admin-account-q">/);
  });

  it('finds a user by the start of the e-mail, first or last name (every word must match)', async () => {
    for (const q of ['dev@example.test', 'DEV@', 'de', 'Dana', 'dana developer', 'DEVEL dan']) {
      const page = textOf((await admin.get(`${BASE}/users?q=${encodeURIComponent(q)}`)).text);
      assert.match(page, /1 user matches/, q);
      assert.match(page, /Dana Developer dev@example\.test/, q);
    }
    // A word matches the start of a column, not the middle of one: no index could serve that.
    for (const q of ['ana', 'eloper', 'example.test', '@example.test', 'dana baker']) {
      const none = textOf((await admin.get(`${BASE}/users?q=${encodeURIComponent(q)}`)).text);
      assert.match(none, /0 users match/, q);
      assert.match(none, /No user matches this search\./, q);
    }
  });

  it('takes LIKE wildcards typed in the search literally', async () => {
    await tp.f.user({ email: 'a_b@wild.test', firstName: '50%', lastName: 'Off' });
    await tp.f.user({ email: 'axb@wild.test', firstName: '500', lastName: 'Offer' });
    const found = async (q: string) =>
      textOf((await admin.get(`${BASE}/users?q=${encodeURIComponent(q)}`)).text).match(/(\d+) users? match/)?.[1];
    assert.equal(await found('%'), '0');
    assert.equal(await found('_'), '0');
    assert.equal(await found('a_b'), '1', 'the underscore is no single-character wildcard');
    assert.equal(await found('50%'), '1', 'the percent sign is no wildcard');
    assert.equal(await found('50'), '2');
    assert.equal(await found('a\\'), '0');
  });

  it('pages user results in the database, 25 at a time', async () => {
    for (let i = 0; i < 30; i += 1)
      await tp.f.user({
        email: `many${String(i).padStart(2, '0')}@crowd.test`,
        firstName: 'Crowd',
        lastName: `Member${i}`,
      });
    const first = await admin.get(`${BASE}/users?q=crowd`);
    assert.match(textOf(first.text), /30 users match/);
    assert.equal((first.text.match(/@crowd\.test<\/td>/g) ?? []).length, 25);
    assert.match(first.text, /Page 1 of 2/);
    assert.match(first.text, /href="[^"]*users\?q=crowd&amp;page=2" rel="next"/);
    const second = await admin.get(`${BASE}/users?q=crowd&page=2`);
    assert.equal((second.text.match(/@crowd\.test<\/td>/g) ?? []).length, 5);
    assert.match(second.text, /many29@crowd\.test/);
  });

  it("shows a user's accounts: owner or not, permissions, last login per account, with links", async () => {
    await tp
      .knex(TABLES.members)
      .where({ account_id: w.blueFish.id, user_id: w.dev.id })
      .update({ last_login_at: Date.UTC(2026, 10, 20, 9, 30) });
    const res = await admin.get(`${BASE}/users/${w.dev.id}`);
    assert.equal(res.status, 200);
    const page = textOf(res.text);
    assert.match(page, /User: Dana Developer/);
    assert.match(page, /2 accounts/);
    assert.match(page, /Blue Fish Bakery User View services, Support tickets Nov 20, 2026, 9:30 AM Active/);
    assert.match(page, /Acme Web Studio User All permissions Never Active/);
    assert.match(res.text, new RegExp(`href="${BASE}/accounts/${w.blueFish.id}"`));
    assert.match(res.text, new RegExp(`href="${BASE}/users/${w.dev.id}/log"`));
    const bob = textOf((await admin.get(`${BASE}/users/${w.bob.id}`)).text);
    assert.match(bob, /Blue Fish Bakery Owner All permissions/);
    const loner = await tp.f.user({ firstName: 'Lone', lastName: 'Wolf' });
    assert.match(
      textOf((await admin.get(`${BASE}/users/${loner.id}`)).text),
      /This user has no access to any account\./,
    );
  });

  it("pages a user's 60 accounts by key, the used ones first and those whose access ended included", async () => {
    const agent = await tp.f.user({ firstName: 'Ann', lastName: 'Agent' });
    const names: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      const account = await tp.f.account({ name: `Agent Client ${String(i).padStart(2, '0')}` });
      // Every third used, three at a time at the same moment (the id decides), the rest never.
      await tp.f.member(account.id, agent.id, 'all', i % 3 === 0 ? { lastLoginAt: 1_000_000 + Math.floor(i / 9) } : {});
      names.push(account.name);
    }
    await tp.knex(TABLES.members).where({ user_id: agent.id }).limit(1).update({ access_until: 1 });
    const used = names.filter((_, i) => i % 3 === 0).reverse();
    const never = names.filter((_, i) => i % 3 !== 0).reverse();
    const listed = (html: string) => [...html.matchAll(/<th scope="row"[^>]*><a [^>]*>([^<]*)/g)].map((m) => m[1]);
    const first = await admin.get(`${BASE}/users/${agent.id}`);
    assert.match(textOf(first.text), /60 accounts/);
    await assertWalksBothWays(admin, `${BASE}/users/${agent.id}`, listed, [...used, ...never], 25);
  });

  it('finds an account by the start of its name, with its owner', async () => {
    for (const q of ['blue fish', 'BLUE', 'blue   fish bak']) {
      const page = await admin.get(`${BASE}/accounts?q=${encodeURIComponent(q)}`);
      assert.equal(page.status, 200);
      const text = textOf(page.text);
      assert.match(text, /1 account matches/, q);
      assert.match(text, /Blue Fish Bakery Bob Baker bob@example\.test Active/, q);
      assert.match(page.text, new RegExp(`href="${BASE}/accounts/${w.blueFish.id}"`));
    }
    // The typed text starts the name: a later word alone, or a fragment, finds nothing.
    for (const q of ['bakery', 'fish', 'lue', 'zzz', '%']) {
      assert.match(
        textOf((await admin.get(`${BASE}/accounts?q=${encodeURIComponent(q)}`)).text),
        /No account matches this search\./,
        q,
      );
    }
  });

  it('shows an account: owner, users with permissions and last login, pending invitations', async () => {
    await tp.f.invite(w.blueFish.id, { email: 'newbie@example.test', permissions: ['invoices'] });
    const res = await admin.get(`${BASE}/accounts/${w.blueFish.id}`);
    assert.equal(res.status, 200);
    const page = textOf(res.text);
    assert.match(page, /Account: Blue Fish Bakery/);
    assert.match(page, /Owner: Bob Baker \(bob@example\.test\)/);
    assert.match(page, /2 users/);
    assert.match(page, /Bob Baker Owner bob@example\.test All permissions/);
    assert.match(
      page,
      new RegExp(
        [
          /Dana Developer dev@example\.test View services, Support tickets Nov 20, 2026, 9:30 AM/.source,
          / Manage Permissions Dana Developer Make Owner Dana Developer Remove Access Dana Developer/.source,
        ].join(''),
      ),
    );
    assert.match(page, /1 pending invitation/);
    assert.match(
      page,
      /newbie@example\.test Invoices .* Pending Resend newbie@example\.test Cancel newbie@example\.test/,
    );
    assert.match(res.text, /href="\/admin\/modules\/account_users\/accounts\/\d+\/log"/);
  });

  it("pages an account's users and searches them", async () => {
    for (let i = 0; i < 27; i += 1) {
      const u = await tp.f.user({
        email: `staff${i}@bigco.test`,
        firstName: 'Big',
        lastName: `Staff${String(i).padStart(2, '0')}`,
      });
      await tp.f.member(w.acme.id, u.id, ['tickets']);
    }
    const first = await admin.get(`${BASE}/accounts/${w.acme.id}`);
    assert.match(textOf(first.text), /29 users/);
    const names = (html: string) => [...html.matchAll(/<th scope="row"[^>]*>(?:<a [^>]*>)?([^<]*)/g)].map((m) => m[1]);
    assert.equal(names(first.text).length, 25);
    assert.match(pagerLink(first.text, 'next')!, /^\/admin\/modules\/account_users\/accounts\/\d+\?after=\d+$/);
    const second = await admin.get(pagerLink(first.text, 'next')!);
    assert.equal(names(second.text).length, 4);
    // Both ways through the list: the owner first, then everyone in the order they were added.
    const forward = [...names(first.text), ...names(second.text)];
    assert.equal(new Set(forward).size, 29);
    await assertWalksBothWays(admin, `${BASE}/accounts/${w.acme.id}`, names, forward, 25);
    // Searching keeps the search in the links.
    const staff = forward.filter((n) => n.startsWith('Big Staff'));
    await assertWalksBothWays(admin, `${BASE}/accounts/${w.acme.id}?q=Big+Staff`, names, staff, 25);
    const found = textOf((await admin.get(`${BASE}/accounts/${w.acme.id}?q=Staff07`)).text);
    assert.match(found, /1 user found/);
    assert.match(found, /Big Staff07 staff7@bigco\.test/);
    // Staff10–Staff19 by last name, and Staff01 by its e-mail staff1@bigco.test.
    assert.match(textOf((await admin.get(`${BASE}/accounts/${w.acme.id}?q=big staff1`)).text), /11 users found/);
    assert.match(textOf((await admin.get(`${BASE}/accounts/${w.acme.id}?q=taff07`)).text), /0 users found/);
  });
});
