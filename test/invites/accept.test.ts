import assert from 'node:assert/strict';
import { Factories } from '../helpers/factories';
import { Client, quietLogger, setupPortal, testConfig, type TestPortal } from '../helpers/portal';
import { count, foundRow, sharedKnex } from '../helpers/db';
import { createKnex } from '../../host/db';
import { createApp } from '../../host/app';
import { inviteAndLink, lastMail, ownerSetup } from './helpers';
import { TABLES } from '../../module/tables';

describe('invitations: accepting', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('an existing user signs in from the invitation page and accepts; the session moves into the account', async () => {
    const { account, owner, ownerEmail } = await ownerSetup(tp, 'Acme Web Studio');
    const bob = await tp.f.user({ email: 'bob@example.com', firstName: 'Bob', lastName: 'Baker' });
    await tp.f.account({ name: 'Blue Fish Bakery', ownerId: bob.id });
    const link = await inviteAndLink(tp, owner, 'bob@example.com', ['invoices']);
    const events: Array<Record<string, unknown>> = [];
    tp.portal.hooks.on('AccountUserInviteAccepted', (p: Record<string, unknown>) => {
      events.push(p);
    });

    const visitor = tp.anonymous();
    const page = await visitor.get(link.path);
    assert.equal(page.status, 200);
    assert.match(page.text, /Alice Archer invited you to use the customer account Acme Web Studio/);
    // Signing in is the portal's own form, which brings the person back to the invitation.
    const signInLink = `/login?returnTo=${encodeURIComponent(link.path)}`;
    assert.ok(page.text.includes(`href="${signInLink}"`), "links to the portal's sign-in with the way back");
    assert.doesNotMatch(page.text, /<form method="post" action="\/login"/);
    assert.match(page.text, new RegExp(`action="${link.path}/register"`));
    assert.equal(page.headers['cache-control'], 'no-store');

    const loginPage = await visitor.get(signInLink);
    assert.ok(loginPage.text.includes(`name="returnTo" value="${link.path}"`));
    await visitor.refreshCsrf(signInLink);
    const login = await visitor.post('/login', {
      email: 'bob@example.com',
      password: Factories.PASSWORD,
      returnTo: link.path,
    });
    assert.equal(login.status, 303);
    assert.equal(login.headers.location, link.path);
    const signedIn = await visitor.get(link.path);
    assert.match(signedIn.text, /Accept and open Acme Web Studio/);
    assert.doesNotMatch(signedIn.text, /action="\/login"/);
    // Looking at the page changed nothing.
    assert.equal(await count(tp, TABLES.members, { account_id: account.id, user_id: bob.id }), 0);

    await visitor.refreshCsrf(link.path);
    const accept = await visitor.post(`${link.path}/accept`);
    assert.equal(accept.status, 303);
    assert.equal(accept.headers.location, '/');
    const home = await visitor.get('/');
    assert.match(home.text, /You now have access to Acme Web Studio/);
    assert.match(home.text, /class="account-name">Acme Web Studio/);
    assert.equal((await visitor.get('/invoices')).status, 200);
    assert.equal((await visitor.get('/services')).status, 403);

    const member = await foundRow(tp, TABLES.members, { account_id: account.id, user_id: bob.id });
    assert.deepEqual(JSON.parse(member.permissions), ['invoices']);
    assert.ok(!member.all_permissions);
    assert.equal(Number(member.invited_by), account.ownerId);
    const row = await foundRow(tp, TABLES.invites);
    assert.equal(row.pending_email, null);
    assert.equal(Number(row.accepted_by), bob.id);
    assert.ok(Number(row.accepted_at) > 0);
    assert.equal(await count(tp, TABLES.log, { action: 'invite_accepted', target_user_id: bob.id }), 1);
    assert.equal(events.length, 1);
    const notice = await lastMail(tp, ownerEmail);
    assert.match(notice.subject, /Bob Baker accepted your invitation to Acme Web Studio/);
    assert.match(notice.text, /https:\/\/portal\.example\.test\/account\/users/);
  });

  it('registers someone new, who lands in the account seeing only what was granted', async () => {
    const { account, owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'newbie@example.com', ['invoices']);
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link.path);
    const res = await visitor.post(`${link.path}/register`, {
      firstName: 'Nina',
      lastName: 'Newbie',
      password: 'a-long-password',
      passwordConfirm: 'a-long-password',
    });
    assert.equal(res.status, 303, res.text.slice(0, 500));
    assert.equal(res.headers.location, '/');
    const user = await foundRow(tp, 'users', { email: 'newbie@example.com' });
    assert.equal(user.first_name, 'Nina');
    assert.notEqual(user.password_hash, 'a-long-password');
    const member = await foundRow(tp, TABLES.members, { account_id: account.id, user_id: user.id });
    assert.deepEqual(JSON.parse(member.permissions), ['invoices']);
    const home = await visitor.get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /Nina/);
    assert.equal((await visitor.get('/invoices')).status, 200);
    assert.equal((await visitor.get('/services')).status, 403);
    assert.equal((await visitor.get('/tickets')).status, 403);
    // The new login works on its own later.
    const again = await tp.login('newbie@example.com', 'a-long-password');
    assert.equal(again.lastLoginRedirect, '/');
  });

  it('refuses a registration with bad fields, showing the form again and creating nothing', async () => {
    const { owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'care@example.com');
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link.path);
    const users = await count(tp, 'users');
    let res = await visitor.post(`${link.path}/register`, {
      firstName: 'Carl',
      lastName: '',
      password: 'short',
      passwordConfirm: 'short',
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /Please enter your last name/);
    assert.match(res.text, /at least 10 characters/);
    assert.match(res.text, /value="Carl"/);
    assert.doesNotMatch(res.text, /value="short"/);
    assert.match(res.text, /aria-describedby="invite-lastName-error"/);
    res = await visitor.post(`${link.path}/register`, {
      firstName: 'Carl',
      lastName: 'Care',
      password: 'a-long-password',
      passwordConfirm: 'another-password',
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /The two passwords are not the same/);
    assert.equal(await count(tp, 'users'), users);
    assert.equal(await count(tp, TABLES.members), 1);
  });

  it('tells someone whose address already has a login to sign in instead of registering', async () => {
    const { owner } = await ownerSetup(tp);
    await tp.f.user({ email: 'known@example.com' });
    const link = await inviteAndLink(tp, owner, 'known@example.com');
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link.path);
    const users = await count(tp, 'users');
    const res = await visitor.post(`${link.path}/register`, {
      firstName: 'K',
      lastName: 'Known',
      password: 'a-long-password',
      passwordConfirm: 'a-long-password',
    });
    assert.equal(res.status, 409);
    assert.match(res.text, /A login with known@example.com already exists. Please sign in/);
    assert.equal(await count(tp, 'users'), users);
    assert.equal((await foundRow(tp, TABLES.invites)).pending_email, 'known@example.com');
  });

  it('with "must be accepted by the invited address", tells a user of another address; offers sign-out', async () => {
    const { account, owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'right@example.com');
    const other = await tp.f.user({ email: 'other@example.com' });
    const client = await tp.login(other.email);
    const page = await client.get(link.path);
    assert.equal(page.status, 200);
    assert.match(
      page.text,
      /This invitation was sent to right@example.com, but you are signed in as other@example.com/,
    );
    assert.match(page.text, /<form method="post" action="\/logout">/);
    assert.doesNotMatch(page.text, /\/accept"/);
    await client.refreshCsrf(link.path);
    const res = await client.post(`${link.path}/accept`);
    assert.equal(res.status, 403);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id, user_id: other.id }), 0);
    assert.equal((await foundRow(tp, TABLES.invites)).pending_email, 'right@example.com');
  });

  it('with the setting off, lets any signed-in user accept (WHMCS behaviour)', async () => {
    const { account, owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'right@example.com', ['tickets']);
    await tp.setSettings({ requireInvitedAddress: false });
    const other = await tp.f.user({ email: 'other@example.com' });
    const client = await tp.login(other.email);
    const page = await client.get(link.path);
    assert.match(page.text, /This invitation was sent to right@example.com. You are signed in as other@example.com/);
    await client.refreshCsrf(link.path);
    const res = await client.post(`${link.path}/accept`);
    assert.equal(res.status, 303);
    const member = await foundRow(tp, TABLES.members, { account_id: account.id, user_id: other.id });
    assert.deepEqual(JSON.parse(member.permissions), ['tickets']);
  });

  it('leaves an existing member with exactly the access they had', async () => {
    const { account, owner } = await ownerSetup(tp);
    const user = await tp.f.user({ email: 'member@example.com' });
    const link = await inviteAndLink(tp, owner, 'member@example.com', 'all');
    await tp.f.member(account.id, user.id, ['tickets']);
    const client = await tp.login(user.email);
    await client.refreshCsrf(link.path);
    const res = await client.post(`${link.path}/accept`);
    assert.equal(res.status, 303);
    const member = await foundRow(tp, TABLES.members, { account_id: account.id, user_id: user.id });
    assert.ok(!member.all_permissions);
    assert.deepEqual(JSON.parse(member.permissions), ['tickets']);
    assert.equal((await foundRow(tp, TABLES.invites)).pending_email, null);
    assert.match((await client.get('/')).text, /already had access to Acme Web Studio; your access is unchanged/);
  });

  it('gives exactly one membership for 20 concurrent accepts from 10 sessions on two app instances', async () => {
    const { account, owner, ownerEmail } = await ownerSetup(tp);
    const user = await tp.f.user({ email: 'racer@example.com' });
    const link = await inviteAndLink(tp, owner, 'racer@example.com', ['invoices']);
    // A second instance of the portal with its own connection pool on the same database.
    const { url } = await sharedKnex();
    const knexB = createKnex(url);
    const portalB = await createApp({
      knex: knexB,
      config: testConfig(),
      logger: quietLogger,
      moduleStateTtlMs: 0,
      now: tp.clock.now,
    });
    try {
      // Ten sessions (the login limit allows 20 attempts per address), two clicks each.
      const sessions = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          Client.login(i % 2 ? portalB.app : tp.app, user.email, Factories.PASSWORD),
        ),
      );
      await Promise.all(sessions.map((s) => s.refreshCsrf(link.path)));
      const answers = await Promise.all([...sessions, ...sessions].map((s) => s.post(`${link.path}/accept`)));
      assert.equal(answers.length, 20);
      // The one who won and every later click by the same person land in the account.
      for (const a of answers) assert.equal(a.status, 303, a.text.slice(0, 300));
      assert.equal(await count(tp, TABLES.members, { account_id: account.id, user_id: user.id }), 1);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_accepted' }), 1);
      assert.equal(await count(tp, 'outbox', { to_address: ownerEmail }), 1);
    } finally {
      await portalB.close();
      await knexB.destroy();
    }
  });

  it('refuses accept and register without the CSRF token', async () => {
    const { account, owner } = await ownerSetup(tp);
    const user = await tp.f.user({ email: 'csrf@example.com' });
    const link = await inviteAndLink(tp, owner, 'csrf@example.com');
    const client = await tp.login(user.email);
    let res = await client.post(`${link.path}/accept`, { _csrf: 'forged' });
    assert.equal(res.status, 403);
    res = await client.agent.post(`${link.path}/accept`).type('form').send({});
    assert.equal(res.status, 403);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id, user_id: user.id }), 0);

    const link2 = await inviteAndLink(tp, owner, 'fresh@example.com');
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link2.path);
    res = await visitor.post(`${link2.path}/register`, {
      _csrf: 'forged',
      firstName: 'F',
      lastName: 'F',
      password: 'a-long-password',
      passwordConfirm: 'a-long-password',
    });
    assert.equal(res.status, 403);
    assert.equal(await count(tp, 'users', { email: 'fresh@example.com' }), 0);
  });

  it('sends a signed-out accept back to the invitation page', async () => {
    const { owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'later@example.com');
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link.path);
    const res = await visitor.post(`${link.path}/accept`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, link.path);
  });

  it('sends a signed-in register back to the invitation page and makes no login', async () => {
    const { owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'twice@example.com');
    // The owner, signed in, posts the registration form of an invitation to someone else.
    const usersBefore = await count(tp, 'users');
    const res = await owner.post(`${link.path}/register`, {
      firstName: 'Twice',
      lastName: 'Over',
      password: 'a-long-password',
      passwordConfirm: 'a-long-password',
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, link.path);
    assert.equal(await count(tp, 'users'), usersBefore, 'no second login was made');
    assert.equal(await count(tp, 'users', { email: 'twice@example.com' }), 0);
  });

  it('brings a user with several accounts straight back to the invitation, not to the chooser', async () => {
    const { owner } = await ownerSetup(tp);
    const busy = await tp.f.user({ email: 'busy@example.com' });
    await tp.f.account({ ownerId: busy.id });
    await tp.f.account({ ownerId: busy.id });
    const link = await inviteAndLink(tp, owner, 'busy@example.com');
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link.path);
    const login = await visitor.post('/login', {
      email: 'busy@example.com',
      password: Factories.PASSWORD,
      returnTo: link.path,
    });
    assert.equal(login.headers.location, link.path);
    // Any other return address still goes through the chooser.
    const other = tp.anonymous();
    await other.refreshCsrf('/login');
    const elsewhere = await other.post('/login', {
      email: 'busy@example.com',
      password: Factories.PASSWORD,
      returnTo: '/account/invite/not-a-token',
    });
    assert.match(elsewhere.headers.location, /^\/account\/switch/);
  });

  it('brings a user without any account back to the invitation after signing in', async () => {
    const { owner } = await ownerSetup(tp);
    await tp.f.user({ email: 'lonely@example.com' });
    const link = await inviteAndLink(tp, owner, 'lonely@example.com');
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link.path);
    const login = await visitor.post('/login', {
      email: 'lonely@example.com',
      password: Factories.PASSWORD,
      returnTo: link.path,
    });
    assert.equal(login.headers.location, link.path);
    await visitor.refreshCsrf(link.path);
    assert.equal((await visitor.post(`${link.path}/accept`)).status, 303);
    assert.equal((await visitor.get('/')).status, 200);
  });
});
