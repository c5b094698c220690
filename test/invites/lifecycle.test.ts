import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { DAY, inviteAndLink, lastMail, linkOf, mainText, ownerSetup } from './helpers';
import { count, firstRow, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import { replaceMethod } from '../helpers/replace';

describe('invitations: expiry, single use, resend and cancel', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('is valid just before its lifetime ends and not valid just after', async () => {
    const { account, owner } = await ownerSetup(tp);
    const user = await tp.f.user({ email: 'slow@example.com' });
    const link = await inviteAndLink(tp, owner, 'slow@example.com');
    const client = await tp.login(user.email);
    tp.clock.advance(7 * DAY - 2000);
    assert.equal((await client.get(link.path)).status, 200);
    await client.refreshCsrf(link.path);
    tp.clock.advance(4000);
    const page = await client.get(link.path);
    assert.equal(page.status, 404);
    assert.match(page.text, /This invitation is not valid/);
    const res = await client.post(`${link.path}/accept`);
    assert.equal(res.status, 404);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id, user_id: user.id }), 0);
    // The owner sees it as expired and can send it again.
    const users = await owner.get('/account/users');
    assert.match(users.text, /slow@example.com/);
    assert.match(users.text, /Expired/);
  });

  it('follows the lifetime setting', async () => {
    const { owner } = await ownerSetup(tp);
    await tp.setSettings({ inviteLifetimeDays: 2 });
    const link = await inviteAndLink(tp, owner, 'short@example.com');
    const row = await foundRow(tp, TABLES.invites);
    assert.equal(Number(row.expires_at) - Number(row.created_at), 2 * DAY);
    tp.clock.advance(2 * DAY + 1000);
    assert.equal((await tp.anonymous().get(link.path)).status, 404);
  });

  it('works once: a used link gets the same page as unknown, cancelled and expired links', async () => {
    const { owner } = await ownerSetup(tp);
    const used = await inviteAndLink(tp, owner, 'used@example.com');
    const cancelled = await inviteAndLink(tp, owner, 'cancelled@example.com');
    const expired = await inviteAndLink(tp, owner, 'expired@example.com');
    const user = await tp.f.user({ email: 'used@example.com' });
    const client = await tp.login(user.email);
    await client.refreshCsrf(used.path);
    assert.equal((await client.post(`${used.path}/accept`)).status, 303);
    const { id } = await foundRow(tp, TABLES.invites, { email: 'cancelled@example.com' });
    await owner.refreshCsrf('/account/users');
    assert.equal((await owner.post(`/account/invites/${id}/cancel`)).status, 303);
    await tp
      .knex(TABLES.invites)
      .where('email', 'expired@example.com')
      .update({ expires_at: tp.clock.now() - 1 });

    const visitor = tp.anonymous();
    const pages = await Promise.all(
      [used.path, cancelled.path, expired.path, '/account/invite/' + 'A'.repeat(43), '/account/invite/short'].map((p) =>
        visitor.get(p),
      ),
    );
    for (const p of pages) assert.equal(p.status, 404);
    const texts = pages.map((p) => mainText(p.text));
    for (const text of texts) assert.equal(text, texts[0]);
    assert.match(texts[0], /ask the account owner to send you a new invitation/);
    // A used link opens nothing for anyone else either.
    const other = await tp.f.user({ email: 'other@example.com' });
    await tp.setSettings({ requireInvitedAddress: false });
    const otherClient = await tp.login(other.email);
    // They hold the module's form token from an invitation that still works.
    await otherClient.get((await inviteAndLink(tp, owner, 'still-valid@example.com')).path);
    assert.equal((await otherClient.post(`${used.path}/accept`)).status, 404);
    assert.equal(await count(tp, TABLES.members, { user_id: other.id }), 0);
  });

  it('resend makes a new link and expiry; the old link stops working', async () => {
    const { account, owner } = await ownerSetup(tp);
    const events: Array<Record<string, unknown>> = [];
    tp.portal.hooks.on('AccountUserInvited', (p: Record<string, unknown>) => {
      events.push(p);
    });
    const old = await inviteAndLink(tp, owner, 'again@example.com', ['tickets']);
    const before = await foundRow(tp, TABLES.invites);
    tp.clock.advance(3 * DAY);
    const res = await owner.post(`/account/invites/${before.id}/resend`);
    assert.equal(res.status, 303);
    assert.match((await owner.get('/account/users')).text, /A new invitation was sent to again@example.com/);
    const fresh = linkOf(await lastMail(tp, 'again@example.com'));
    assert.notEqual(fresh.token, old.token);
    assert.equal(await count(tp, 'outbox', { to_address: 'again@example.com' }), 2);
    const after = await foundRow(tp, TABLES.invites);
    assert.equal(Number(after.sent_count), 2);
    assert.equal(Number(after.expires_at), Number(after.last_sent_at) + 7 * DAY);
    assert.ok(Number(after.expires_at) > Number(before.expires_at) + 3 * DAY - 5000);
    assert.notEqual(after.token_hash, before.token_hash);
    assert.equal(await count(tp, TABLES.invites), 1);
    assert.equal(await count(tp, TABLES.log, { action: 'invite_resent', account_id: account.id }), 1);
    assert.equal(events.length, 2);
    assert.equal(events[1].resent, true);
    assert.equal((await tp.anonymous().get(old.path)).status, 404);
    assert.equal((await tp.anonymous().get(fresh.path)).status, 200);
  });

  it('a resend whose e-mail can not be sent yet saves the new link and queues its e-mail', async () => {
    const { owner } = await ownerSetup(tp);
    const old = await inviteAndLink(tp, owner, 'keep@example.com');
    const before = await foundRow(tp, TABLES.invites);
    const mailer = tp.portal.accountUsers.services.ctx.host.mailer;
    const restore = replaceMethod(mailer, 'send', () => Promise.reject(new Error('SMTP down')));
    try {
      tp.clock.advance(61_000);
      const res = await owner.post(`/account/invites/${before.id}/resend`);
      assert.equal(res.status, 303);
    } finally {
      restore();
    }
    assert.equal(await count(tp, TABLES.log, { action: 'invite_resent' }), 1);
    assert.equal(await count(tp, TABLES.mailQueue, { status: 'queued' }), 1);
    assert.equal((await tp.anonymous().get(old.path)).status, 404, 'the earlier link no longer works');
  });

  it('two resends at once send one e-mail; the other hears it just went out; the next waits a minute', async () => {
    const { owner } = await ownerSetup(tp);
    await inviteAndLink(tp, owner, 'twice@example.com');
    const { id } = await foundRow(tp, TABLES.invites);
    tp.clock.advance(61_000);
    const results = await Promise.all([
      owner.post(`/account/invites/${id}/resend`),
      owner.post(`/account/invites/${id}/resend`),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      [303, 303],
    );
    assert.equal(await count(tp, 'outbox', { to_address: 'twice@example.com' }), 2, 'the invitation and one resend');
    assert.equal(await count(tp, TABLES.log, { action: 'invite_resent' }), 1);
    await owner.get('/account/users');
    tp.clock.advance(30_000);
    assert.equal((await owner.post(`/account/invites/${id}/resend`)).status, 303);
    assert.match(
      (await owner.get('/account/users')).text,
      /An invitation was sent to twice@example.com less than a minute ago, so no other was sent/,
    );
    assert.equal(await count(tp, 'outbox', { to_address: 'twice@example.com' }), 2, 'not within a minute');
    tp.clock.advance(31_000);
    assert.equal((await owner.post(`/account/invites/${id}/resend`)).status, 303);
    assert.equal(await count(tp, 'outbox', { to_address: 'twice@example.com' }), 3);
  });

  it('does not resend to an address that got access another way in the meantime', async () => {
    const { account, owner } = await ownerSetup(tp);
    const user = await tp.f.user({ email: 'meanwhile@example.com' });
    await inviteAndLink(tp, owner, 'meanwhile@example.com');
    await tp.f.member(account.id, user.id, ['tickets']);
    const { id } = await foundRow(tp, TABLES.invites);
    tp.clock.advance(61_000);
    const res = await owner.post(`/account/invites/${id}/resend`);
    assert.equal(res.status, 422);
    assert.match(res.text, /meanwhile@example.com already has access to this account/);
    assert.equal(await count(tp, 'outbox'), 1);
  });

  it('cancels after a confirmation page; the link stops working', async () => {
    const { account, owner } = await ownerSetup(tp);
    const events: Array<Record<string, unknown>> = [];
    tp.portal.hooks.on('AccountUserInviteCancelled', (p: Record<string, unknown>) => {
      events.push(p);
    });
    const link = await inviteAndLink(tp, owner, 'gone@example.com');
    const { id } = await foundRow(tp, TABLES.invites);
    const confirm = await owner.get(`/account/invites/${id}/cancel`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Are you sure you want to cancel the invitation to gone@example.com/);
    assert.match(confirm.text, new RegExp(`<form method="post" action="/account/invites/${id}/cancel"`));
    // Looking at the confirmation changed nothing.
    assert.equal((await tp.anonymous().get(link.path)).status, 200);
    owner.csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1];
    const res = await owner.post(`/account/invites/${id}/cancel`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/account/users');
    const row = await foundRow(tp, TABLES.invites);
    assert.equal(row.pending_email, null);
    assert.ok(Number(row.cancelled_at) > 0);
    assert.equal(await count(tp, TABLES.log, { action: 'invite_cancelled', account_id: account.id }), 1);
    assert.equal(events.length, 1);
    assert.equal((await tp.anonymous().get(link.path)).status, 404);
    assert.equal((await owner.get(`/account/invites/${id}/cancel`)).status, 404);
    // The address can be invited again.
    assert.equal((await owner.post('/account/users/invite', { email: 'gone@example.com', access: 'all' })).status, 303);
  });

  it('answers 404 for invitations of another account, exactly as for ids that do not exist', async () => {
    const mine = await ownerSetup(tp, 'Mine');
    const theirs = await ownerSetup(tp, 'Theirs');
    await inviteAndLink(tp, theirs.owner, 'theirs@example.com');
    const { id } = await foundRow(tp, TABLES.invites);
    const before = await foundRow(tp, TABLES.invites);
    for (const target of [id, 999999]) {
      assert.equal((await mine.owner.get(`/account/invites/${target}/cancel`)).status, 404);
      assert.equal((await mine.owner.post(`/account/invites/${target}/cancel`)).status, 404);
      assert.equal((await mine.owner.post(`/account/invites/${target}/resend`)).status, 404);
    }
    assert.equal((await mine.owner.post('/account/invites/abc/resend')).status, 404);
    assert.deepEqual(await firstRow(tp, TABLES.invites), before);
    assert.equal(await count(tp, 'outbox'), 1);
  });

  it('refuses resend and cancel without the CSRF token', async () => {
    const { owner } = await ownerSetup(tp);
    await inviteAndLink(tp, owner, 'safe@example.com');
    const before = await foundRow(tp, TABLES.invites);
    assert.equal((await owner.post(`/account/invites/${before.id}/resend`, { _csrf: 'forged' })).status, 403);
    assert.equal((await owner.agent.post(`/account/invites/${before.id}/cancel`).type('form').send({})).status, 403);
    assert.deepEqual(await firstRow(tp, TABLES.invites), before);
    assert.equal(await count(tp, 'outbox'), 1);
  });

  it('lists pending invitations on User Management with dates, status and actions, and the invite form', async () => {
    const { owner } = await ownerSetup(tp);
    await inviteAndLink(tp, owner, 'listed@example.com', ['invoices']);
    const { id } = await foundRow(tp, TABLES.invites);
    const page = await owner.get('/account/users');
    assert.equal(page.status, 200);
    assert.match(page.text, /Pending invitations/);
    assert.match(page.text, /<th scope="row"[^>]*>listed@example.com<\/th>/);
    assert.match(page.text, />Pending</);
    assert.match(page.text, new RegExp(`action="/account/invites/${id}/resend"`));
    assert.match(page.text, new RegExp(`href="/account/invites/${id}/cancel"`));
    assert.match(page.text, /<form method="post" action="\/account\/users\/invite"/);
    assert.match(page.text, /<label for="invite-perm-invoices">Invoices<\/label>/);
    assert.match(page.text, /View and pay invoices/);
  });
});
