import assert from 'node:assert/strict';
import { TABLES } from '../../module/tables';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { listedAccounts } from './helpers';
import { allRows } from '../helpers/db';
import { assertWalksBothWays, pagerLink } from '../helpers/pager';

const TOTAL = 500;
const name = (i: number) => (i === 333 ? 'Blue Fish Bakery' : `Client ${String(i).padStart(4, '0')} Hosting`);
const used = (i: number) => i % 5 === 0;
const closed = (i: number) => i % 50 === 7;

/**
 * An agency user in 500 customer accounts, inserted in bulk: every 5th used recently (the higher
 * the number, the more recently; two at a time at once), a few closed, a few owned, the rest never opened.
 */
async function agency(tp: TestPortal): Promise<{ userId: number; ids: Map<number, number> }> {
  const user = await tp.f.user({ email: 'agency@example.test', firstName: 'Agnes', lastName: 'Agency' });
  const owner = await tp.f.user();
  const now = Date.now();
  const rows = Array.from({ length: TOTAL }, (_, k) => {
    const i = k + 1;
    return {
      name: name(i),
      email: `c${i}@example.test`,
      status: closed(i) ? 'closed' : 'active',
      primary_user_id: i % 100 === 1 ? user.id : owner.id,
      created_at: now,
    };
  });
  await tp.knex.batchInsert('accounts', rows, 100);
  const accounts = await allRows(tp, 'accounts');
  const byName = new Map(accounts.map((a) => [a.name, Number(a.id)]));
  const ids = new Map<number, number>();
  for (let i = 1; i <= TOTAL; i += 1) ids.set(i, byName.get(name(i))!);
  const members = [...ids].map(([i, accountId]) => ({
    account_id: accountId,
    user_id: user.id,
    is_owner: i % 100 === 1 ? true : null,
    all_permissions: i % 2 === 0 || i % 100 === 1,
    permissions: JSON.stringify(i % 2 === 0 || i % 100 === 1 ? [] : ['invoices', 'tickets']),
    invited_by: null,
    created_at: now,
    updated_at: now,
    // Pairs of used accounts share a login time: the id decides between them.
    last_login_at: used(i) ? 1_000_000 + Math.floor(i / 10) * 1000 : null,
  }));
  await tp.knex.batchInsert(TABLES.members, members, 100);
  return { userId: user.id, ids };
}

/**
 * The names the chooser must show, in its documented order: most recently used first, then the
 * never-used ones newest membership first (memberships were inserted in the order of i).
 */
function expectedOrder(): string[] {
  const all = Array.from({ length: TOTAL }, (_, k) => k + 1);
  const recent = all
    .filter(used)
    .sort((a, b) => b - a)
    .map(name);
  const never = all
    .filter((i) => !used(i))
    .sort((a, b) => b - a)
    .map(name);
  return [...recent, ...never];
}

describe('Switch Account with 500 accounts', () => {
  let tp: TestPortal;
  let client: Client;
  let ids: Map<number, number>;
  before(async () => {
    tp = await setupPortal();
    ({ ids } = await agency(tp));
    client = await tp.login('agency@example.test');
  });
  after(() => tp.close());

  it('sends the agency user to the chooser after login', () => {
    assert.equal(client.lastLoginRedirect, '/account/switch');
  });

  it('lists 20 a page, most recently used first, then newest membership first, paged in the database', async () => {
    const order = expectedOrder();
    const first = await client.get('/account/switch');
    assert.equal(first.status, 200);
    assert.match(first.text, /More than 200 accounts/);
    assert.deepEqual(listedAccounts(first.text), order.slice(0, 20));
    // Forwards with Next and backwards from Last with Previous, across the used/never-used border.
    const { lastPage } = await assertWalksBothWays(client, '/account/switch', listedAccounts, order, 20);
    assert.deepEqual(lastPage, order.slice(480, 500));
    // An old numbered link shows the first page.
    assert.deepEqual(listedAccounts((await client.get('/account/switch?page=6')).text), order.slice(0, 20));
  });

  it('answers garbage cursors with the first page and keeps the return address in every link', async () => {
    const first = listedAccounts((await client.get('/account/switch')).text);
    for (const q of ['after=x', 'after=never', 'after=12.0', 'before=never.-3', 'after=1.2.3', 'last=2', 'after[a]=1'])
      assert.deepEqual(listedAccounts((await client.get(`/account/switch?${q}`)).text), first, q);
    const back = await client.get('/account/switch?returnTo=%2Finvoices&returnPermission=invoices');
    const next = pagerLink(back.text, 'next')!;
    assert.match(next, /^\/account\/switch\?after=[0-9]+\.[0-9]+&returnTo=%2Finvoices&returnPermission=invoices$/);
    const second = await client.get(next);
    assert.match(pagerLink(second.text, 'prev')!, /returnTo=%2Finvoices/);
    assert.match(second.text, /name="returnTo" value="\/invoices"/);
  });

  it('finds one account by the start of its name in one request', async () => {
    const res = await client.get('/account/switch?q=blue');
    assert.deepEqual(listedAccounts(res.text), ['Blue Fish Bakery']);
    assert.match(res.text, /1 account matches “blue”/);
    assert.deepEqual(listedAccounts((await client.get('/account/switch?q=fish')).text), [], 'not a later word');
    // More of the name narrows it; LIKE wildcards are plain text.
    assert.deepEqual(listedAccounts((await client.get('/account/switch?q=client+0042')).text), ['Client 0042 Hosting']);
    assert.deepEqual(listedAccounts((await client.get('/account/switch?q=%25')).text), []);
    const matching = expectedOrder().filter((n) => n.startsWith('Client 02'));
    const many = await client.get('/account/switch?q=Client+02');
    assert.match(many.text, new RegExp(`${matching.length} accounts match “Client 02”`));
    assert.match(pagerLink(many.text, 'next')!, /^\/account\/switch\?after=[^&]+&q=Client\+02$/);
    await assertWalksBothWays(client, '/account/switch?q=Client+02', listedAccounts, matching, 20);
    const none = await client.get('/account/switch?q=nothing-like-this');
    assert.match(none.text, /No account matches your search/);
  });

  it('shows the Owner badge, permissions in a word, and closed accounts without an Open button', async () => {
    const owned = await client.get('/account/switch?q=Client+0101');
    assert.match(owned.text, /Client 0101 Hosting<\/span>\s*<span class="au-badge au-badge-owner">Owner<\/span>/);
    assert.match(owned.text, /au-account-perms">All permissions</);
    const limited = await client.get('/account/switch?q=Client+0003');
    assert.match(limited.text, /au-account-perms">Invoices, Support tickets</);
    assert.doesNotMatch(limited.text, /au-badge-owner/);
    const gone = await client.get('/account/switch?q=Client+0007');
    assert.match(gone.text, /au-badge-closed">Closed</);
    assert.match(gone.text, /This account is closed and can not be opened/);
    assert.doesNotMatch(gone.text, new RegExp(`name="accountId" value="${ids.get(7)}"`));
  });

  it('switching moves the account to the top and marks it current', async () => {
    const target = ids.get(123)!;
    const res = await client.post('/account/switch', { accountId: String(target) });
    assert.equal(res.status, 303);
    const page = await client.get('/account/switch');
    assert.equal(listedAccounts(page.text)[0], 'Client 0123 Hosting');
    assert.match(
      page.text,
      /aria-current="true">\s*<div class="au-account-main">\s*<span class="au-account-name">Client 0123 Hosting/,
    );
    assert.match(page.text, /au-badge-current">Current</);
    // In an account, the chooser shows that account's menus like any other page.
    assert.match(page.text, /class="account-name">Client 0123 Hosting</);
  });
});
