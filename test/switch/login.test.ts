import assert from 'node:assert/strict';
import { Client, setupPortal, type TestPortal } from '../helpers/portal';
import { Factories } from '../helpers/factories';
import { count, emailOf, listedAccounts, menus, sessionAccount, storedSession } from './helpers';
import { TABLES } from '../../module/tables';
import { foundRow } from '../helpers/db';

/** Signs in through the form with a return address, as the login page's hidden field sends it. */
async function loginWith(
  tp: TestPortal,
  email: string,
  returnTo: string,
): Promise<{ client: Client; location: string }> {
  const client = tp.anonymous();
  await client.refreshCsrf('/login');
  const res = await client.post('/login', { email, password: Factories.PASSWORD, returnTo });
  assert.equal(res.status, 303);
  await client.refreshCsrf('/account/switch');
  return { client, location: res.headers.location };
}

describe('signing in to the right account', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('puts a user with one account straight into it and goes where they were going', async () => {
    const account = await tp.f.account({ name: 'Solo Ltd' });
    const { client, location } = await loginWith(tp, await emailOf(tp, account.ownerId), '/invoices?page=2');
    assert.equal(location, '/invoices?page=2');
    assert.equal(await sessionAccount(tp, client), account.id);
    const member = await foundRow(tp, TABLES.members, { account_id: account.id, user_id: account.ownerId });
    assert.ok(Number(member.last_login_at) > 0, 'last login recorded');
    const home = await client.get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /class="account-name">Solo Ltd</);
    // One account: nothing to switch to.
    assert.ok(!menus(home.text).account.includes('Switch Account'));
  });

  it('without a return address lands on the dashboard', async () => {
    const account = await tp.f.account();
    const client = await tp.login(await emailOf(tp, account.ownerId));
    assert.equal(client.lastLoginRedirect, '/');
  });

  it('sends a user with two accounts to the chooser, keeping the return address', async () => {
    const user = await tp.f.user();
    const a = await tp.f.account({ name: 'Alpha Hosting' });
    const b = await tp.f.account({ name: 'Beta Bakery' });
    await tp.f.member(a.id, user.id, 'all');
    await tp.f.member(b.id, user.id, ['tickets']);
    const { client, location } = await loginWith(tp, user.email, '/tickets');
    assert.equal(location, '/account/switch?returnTo=%2Ftickets');
    assert.equal(await sessionAccount(tp, client), undefined, 'no account chosen yet');
    assert.equal((await storedSession(tp, client)).accountUsers?.multi, true);

    const chooser = await client.get(location);
    assert.equal(chooser.status, 200);
    assert.deepEqual(listedAccounts(chooser.text).sort(), ['Alpha Hosting', 'Beta Bakery']);
    assert.match(chooser.text, /name="returnTo" value="\/tickets"/);
    assert.match(chooser.text, /All permissions/);
    assert.match(chooser.text, /au-account-perms">Support tickets</);

    // A host page before choosing goes back to the chooser with a message.
    const early = await client.get('/services');
    assert.equal(early.status, 302);
    assert.equal(early.headers.location, '/account/switch?returnTo=%2Fservices');
    assert.match((await client.get(early.headers.location)).text, /Please choose an account first/);

    const picked = await client.post('/account/switch', { accountId: String(b.id), returnTo: '/tickets' });
    assert.equal(picked.status, 303);
    assert.equal(picked.headers.location, '/tickets');
    assert.equal(await sessionAccount(tp, client), b.id);
    const tickets = await client.get('/tickets');
    assert.equal(tickets.status, 200);
    assert.match(tickets.text, /You are now working in Beta Bakery/);
    const menu = menus(tickets.text);
    assert.ok(menu.account.includes('Switch Account'));
    assert.match(tickets.text, /Switch Account <span class="badge">Beta Bakery<\/span>/);
  });

  it('tells a user with no account plainly and offers to sign out', async () => {
    const user = await tp.f.user();
    const { client, location } = await loginWith(tp, user.email, '/invoices');
    assert.match(location, /^\/account\/switch/);
    const page = await client.get(location);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>No account to open<\/h1>/);
    assert.ok(page.text.includes(`You are signed in as ${user.email}`));
    assert.match(page.text, /<form method="post" action="\/logout">/);
    // Host pages send them to the same explanation, never a 500.
    const home = await client.get('/');
    assert.equal(home.status, 302);
    // Posting a switch anyway (no page gave this person a form of the module) is refused.
    const refused = await client.post('/account/switch', { accountId: '1' });
    assert.equal(refused.status, 403);
    assert.doesNotMatch(refused.text, /Acme|Blue Fish/);
    const out = await client.post('/logout');
    assert.equal(out.status, 303);
    assert.equal((await client.get('/')).status, 302);
  });

  it('a user whose only other account is closed goes straight into the open one', async () => {
    const user = await tp.f.user();
    const open = await tp.f.account({ name: 'Open One' });
    const closed = await tp.f.account({ name: 'Closed One', status: 'closed' });
    await tp.f.member(open.id, user.id);
    await tp.f.member(closed.id, user.id);
    const client = await tp.login(user.email);
    assert.equal(client.lastLoginRedirect, '/');
    assert.equal(await sessionAccount(tp, client), open.id);
    assert.ok(!menus((await client.get('/')).text).account.includes('Switch Account'));
  });

  it('a user whose accounts are all closed is told there is no account to open', async () => {
    const user = await tp.f.user();
    const closed = await tp.f.account({ name: 'Gone Ltd', status: 'closed' });
    await tp.f.member(closed.id, user.id);
    const client = await tp.login(user.email);
    const page = await client.get(client.lastLoginRedirect);
    assert.match(page.text, /<h1>No account to open<\/h1>/);
    assert.equal(await count(tp, TABLES.log, { action: 'account_switched' }), 0);
  });

  it('shows Switch Account once an invitation-style membership adds a second account, no new sign-in', async () => {
    const account = await tp.f.account({ name: 'First Co' });
    const client = await tp.login(await emailOf(tp, account.ownerId));
    assert.ok(!menus((await client.get('/')).text).account.includes('Switch Account'));
    const second = await tp.f.account({ name: 'Second Co' });
    await tp.f.member(second.id, account.ownerId, ['tickets']);
    const home = await client.get('/');
    assert.ok(menus(home.text).account.includes('Switch Account'));
    assert.match(home.text, /Switch Account <span class="badge">First Co<\/span>/);
    // And it goes away again when that second account is closed.
    await tp.knex('accounts').where('id', second.id).update({ status: 'closed' });
    assert.ok(!menus((await client.get('/')).text).account.includes('Switch Account'));
  });
});
