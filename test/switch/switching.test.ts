import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { count, emailOf, menus, sessionAccount } from './helpers';
import { TABLES } from '../../module/tables';
import { fromJson } from '../helpers/rows';
import { foundRow } from '../helpers/db';

describe('switching accounts', () => {
  let tp: TestPortal;
  let user: { id: number; email: string };
  let alpha: { id: number; name: string; ownerId: number };
  let beta: { id: number; name: string };
  let client: Client;
  let events: Array<Record<string, unknown>>;

  beforeEach(async () => {
    tp = await setupPortal();
    user = await tp.f.user();
    alpha = await tp.f.account({ name: 'Alpha Hosting' });
    beta = await tp.f.account({ name: 'Beta Bakery' });
    await tp.f.member(alpha.id, user.id, 'all');
    await tp.f.member(beta.id, user.id, ['tickets']);
    events = [];
    tp.portal.hooks.on('AccountSwitched', (p: Record<string, unknown>) => {
      events.push(p);
    });
    client = await tp.login(user.email);
    const first = await client.post('/account/switch', { accountId: String(alpha.id) });
    assert.equal(first.status, 303);
    // Shows (and so uses up) the "now working in" message.
    await client.get('/');
    events.length = 0;
  });
  afterEach(() => tp.close());

  const lastLogin = async (accountId: number) =>
    (await foundRow(tp, TABLES.members, { account_id: accountId, user_id: user.id })).last_login_at;

  it('checks membership, logs the switch, updates last login, fires AccountSwitched, lands on dashboard', async () => {
    tp.clock.advance(60_000);
    const res = await client.post('/account/switch', { accountId: String(beta.id) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/');
    assert.equal(await sessionAccount(tp, client), beta.id);
    assert.ok(Number(await lastLogin(beta.id)) >= Date.now() + 59_000, 'last login is the switch time');
    const log = await foundRow(tp, TABLES.log, { action: 'account_switched', account_id: beta.id });
    assert.equal(Number(log.actor_id), user.id);
    assert.equal(Number(log.target_user_id), user.id);
    assert.deepEqual(fromJson(log.details), { from: alpha.id });
    assert.deepEqual(events, [{ userId: user.id, accountId: beta.id, previousAccountId: alpha.id }]);
    const home = await client.get('/');
    assert.match(home.text, /You are now working in Beta Bakery/);
    assert.match(home.text, /Switch Account <span class="badge">Beta Bakery<\/span>/);
  });

  it('refuses an account the user is not in, a missing one and a closed one alike, and stays put', async () => {
    const stranger = await tp.f.account({ name: 'Stranger Co' });
    const gone = await tp.f.account({ name: 'Gone Ltd', status: 'closed' });
    await tp.f.member(gone.id, user.id, 'all');
    const logsBefore = await count(tp, TABLES.log);
    const alphaLogin = await lastLogin(alpha.id);
    const answers: Array<{ status: number; body: string }> = [];
    for (const accountId of [String(stranger.id), '987654', String(gone.id), 'abc', '', '-1', '1e3', '99999999999']) {
      const res = await client.post('/account/switch', { accountId });
      answers.push({ status: res.status, body: res.text });
      assert.equal(await sessionAccount(tp, client), alpha.id, `still in Alpha after trying ${accountId}`);
    }
    assert.equal(answers[0].status, 403);
    assert.match(answers[0].body, /That account is not available to you/);
    answers.forEach((a, i) =>
      assert.ok(a.status === answers[0].status && a.body === answers[0].body, `answer ${i} differs from the first`),
    );
    assert.equal(await count(tp, TABLES.log), logsBefore);
    assert.equal(await lastLogin(alpha.id), alphaLogin);
    assert.equal(await count(tp, TABLES.members, { account_id: stranger.id, user_id: user.id }), 0);
    assert.deepEqual(events, []);
    assert.match((await client.get('/')).text, /class="account-name">Alpha Hosting</);
  });

  it('refuses a switch without the CSRF token or with a wrong one (403, nothing changed)', async () => {
    const missing = await client.agent
      .post('/account/switch')
      .type('form')
      .send({ accountId: String(beta.id) });
    assert.equal(missing.status, 403);
    const wrong = await client.post('/account/switch', { accountId: String(beta.id), _csrf: 'not-the-token' });
    assert.equal(wrong.status, 403);
    const header = await client.agent
      .post('/account/switch')
      .set('x-csrf-token', 'forged')
      .type('form')
      .send({ accountId: String(beta.id) });
    assert.equal(header.status, 403);
    assert.equal(await sessionAccount(tp, client), alpha.id);
    assert.equal(await count(tp, TABLES.log, { action: 'account_switched', account_id: beta.id }), 0);
    assert.equal(await lastLogin(beta.id), null);
    assert.deepEqual(events, []);
  });

  it('keeps the account per session: a second browser of the same user works in another account', async () => {
    const second = await tp.login(user.email);
    assert.equal(second.lastLoginRedirect, '/account/switch');
    await second.post('/account/switch', { accountId: String(beta.id) });
    const one = await client.get('/');
    const two = await second.get('/');
    assert.match(one.text, /class="account-name">Alpha Hosting</);
    assert.match(two.text, /class="account-name">Beta Bakery</);
    assert.ok(menus(one.text).primary.includes('Domains'));
    assert.ok(!menus(two.text).primary.includes('Domains'));
    assert.equal(await sessionAccount(tp, client), alpha.id);
    assert.equal(await sessionAccount(tp, second), beta.id);
  });

  it('after access is removed, the next request goes to the chooser with a message; choosing comes back', async () => {
    assert.equal((await client.get('/domains')).status, 200);
    await tp.knex(TABLES.members).where({ account_id: alpha.id, user_id: user.id }).del();
    const next = await client.get('/tickets?sort=new');
    assert.equal(next.status, 302);
    assert.equal(next.headers.location, '/account/switch?returnTo=%2Ftickets%3Fsort%3Dnew');
    assert.equal(await sessionAccount(tp, client), undefined);
    const chooser = await client.get(next.headers.location);
    assert.match(chooser.text, /Your access to that account has ended/);
    assert.doesNotMatch(chooser.text, /Alpha Hosting/);
    assert.match(chooser.text, /name="returnTo" value="\/tickets\?sort=new"/);
    const back = await client.post('/account/switch', { accountId: String(beta.id), returnTo: '/tickets?sort=new' });
    assert.equal(back.headers.location, '/tickets?sort=new');
    assert.equal((await client.get('/tickets?sort=new')).status, 200);
  });

  it('leaves an account that was closed while the user was in it', async () => {
    await tp.knex('accounts').where('id', alpha.id).update({ status: 'closed' });
    const next = await client.get('/');
    assert.equal(next.status, 302);
    assert.match(next.headers.location, /^\/account\/switch\?returnTo=%2F$/);
    const chooser = await client.get(next.headers.location);
    assert.match(chooser.text, /Your access to that account has ended/);
    assert.match(chooser.text, /badge-closed">Closed</);
  });

  it('the Switch Account item shows the current account and takes the user to the list', async () => {
    const home = await client.get('/');
    assert.match(
      home.text,
      /<a href="\/account\/switch">Switch Account <span class="badge">Alpha Hosting<\/span><\/a>/,
    );
    const owner = await tp.login(await emailOf(tp, alpha.ownerId));
    assert.ok(!menus((await owner.get('/')).text).account.includes('Switch Account'));
  });
});
