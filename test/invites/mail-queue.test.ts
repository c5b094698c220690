import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { MailSender } from '../../module/mail/sender';
import { MailQueueRepo } from '../../module/mail/queue-repo';
import { BASE_URL, invite, lastMail, linkOf, ownerSetup } from './helpers';
import { allRows, count, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import { replaceMethod } from '../helpers/replace';

/** The periodic pass every app instance runs over the queue, as a second process would. */
function sender(tp: TestPortal): MailSender {
  return new MailSender(tp.portal.accountUsers.services.ctx, (token) => `${BASE_URL}/account/invite/${token}`);
}

/** Makes the portal's mail server fail until the returned function is called. */
function mailServerDown(tp: TestPortal): () => void {
  return replaceMethod(tp.portal.accountUsers.services.ctx.host.mailer, 'send', () =>
    Promise.reject(new Error('SMTP down')),
  );
}

const queue = (tp: TestPortal) => allRows(tp, TABLES.mailQueue, (q) => q.orderBy('id'));

describe('invitation e-mails go through a queue written with the invitation', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('with the mail server down, the invitation stays pending, e-mail queued; sent once it is back', async () => {
    const { owner } = await ownerSetup(tp);
    const restore = mailServerDown(tp);
    const res = await invite(owner, 'later@example.com');
    restore();
    assert.equal(res.status, 303);
    assert.match(
      (await owner.get('/account/users')).text,
      /The invitation to later@example.com \(access: All permissions\) is saved\. Its e-mail could not be sent yet/,
    );
    assert.equal(await count(tp, TABLES.invites, { pending_email: 'later@example.com' }), 1);
    assert.equal(await count(tp, 'outbox'), 0);
    const [row] = await queue(tp);
    assert.equal(row.status, 'queued');
    assert.equal(Number(row.attempts), 1);
    assert.ok(Number(row.next_attempt_at) > tp.clock.now() + 50_000, 'the next attempt waits a minute');
    assert.doesNotMatch(JSON.stringify(row), /\/invite\//, 'no link (and so no token) is stored with the message');

    assert.equal(await sender(tp).deliverDue(), 0, 'not due yet');
    tp.clock.advance(61_000);
    assert.equal(await sender(tp).deliverDue(), 1);
    assert.equal(await sender(tp).deliverDue(), 0, 'sent once');
    assert.equal(await count(tp, 'outbox', { to_address: 'later@example.com' }), 1);
    assert.equal((await queue(tp))[0].status, 'sent');
    const link = linkOf(await lastMail(tp, 'later@example.com'));
    assert.equal((await tp.anonymous().get(link.path)).status, 200, 'the queued e-mail carries a working link');
  });

  it('two app instances passing over the queue at once send each e-mail exactly once', async () => {
    const { owner } = await ownerSetup(tp);
    const restore = mailServerDown(tp);
    const emails = Array.from({ length: 6 }, (_, i) => `queued${i}@example.com`);
    for (const email of emails) assert.equal((await invite(owner, email)).status, 303);
    restore();
    tp.clock.advance(61_000);
    const a = sender(tp);
    const b = sender(tp);
    const sent = await Promise.all([a.deliverDue(), b.deliverDue(), a.deliverDue(), b.deliverDue()]);
    assert.equal(
      sent.reduce((x, y) => x + y, 0),
      6,
    );
    for (const email of emails) assert.equal(await count(tp, 'outbox', { to_address: email }), 1, email);
    assert.deepEqual(
      (await queue(tp)).map((r) => r.status),
      emails.map(() => 'sent'),
    );
  });

  it("the e-mail is written in the invitation's transaction: a database cut there keeps no invitation", async () => {
    const { owner } = await ownerSetup(tp);
    const restore = replaceMethod(MailQueueRepo.prototype, 'enqueue', () =>
      Promise.reject(Object.assign(new Error('connection lost'), { code: 'ECONNRESET' })),
    );
    let res;
    try {
      res = await invite(owner, 'cut@example.com');
    } finally {
      restore();
    }
    assert.equal(res.status, 503);
    assert.equal(await count(tp, TABLES.invites), 0, 'no pending invitation without its e-mail');
    assert.equal(await count(tp, TABLES.log, { action: 'invite_sent' }), 0);
    assert.equal((await invite(owner, 'cut@example.com')).status, 303, 'inviting again works');
    assert.equal(await count(tp, 'outbox', { to_address: 'cut@example.com' }), 1);
  });

  it('a queued e-mail of an invitation cancelled meanwhile is not sent', async () => {
    const { owner } = await ownerSetup(tp);
    const restore = mailServerDown(tp);
    await invite(owner, 'gone@example.com');
    restore();
    const { id } = await foundRow(tp, TABLES.invites);
    assert.equal((await owner.post(`/account/invites/${id}/cancel`)).status, 303);
    tp.clock.advance(61_000);
    assert.equal(await sender(tp).deliverDue(), 0);
    assert.equal(await count(tp, 'outbox'), 0);
    assert.equal((await queue(tp))[0].status, 'dropped');
  });

  it('a resend while mail is down kills the old link at once and queues only the new e-mail', async () => {
    const { owner } = await ownerSetup(tp);
    const first = linkOf(
      await (async () => {
        await invite(owner, 'again@example.com');
        return lastMail(tp, 'again@example.com');
      })(),
    );
    const { id } = await foundRow(tp, TABLES.invites);
    const restore = mailServerDown(tp);
    tp.clock.advance(61_000);
    assert.equal((await owner.post(`/account/invites/${id}/resend`)).status, 303);
    tp.clock.advance(61_000);
    assert.equal((await owner.post(`/account/invites/${id}/resend`)).status, 303);
    restore();
    assert.match(
      (await owner.get('/account/users')).text,
      /A new invitation for again@example.com is saved and the earlier link no longer works/,
    );
    assert.equal((await tp.anonymous().get(first.path)).status, 404, 'the first link is dead');
    assert.deepEqual(
      (await queue(tp)).map((r) => r.status),
      ['sent', 'dropped', 'queued'],
    );
    tp.clock.advance(61_000);
    assert.equal(await sender(tp).deliverDue(), 1);
    assert.equal(await count(tp, 'outbox', { to_address: 'again@example.com' }), 2);
    assert.equal((await tp.anonymous().get(linkOf(await lastMail(tp, 'again@example.com')).path)).status, 200);
  });

  it('gives up after the last retry and says so in the log of the process', async () => {
    const { owner } = await ownerSetup(tp);
    const restore = mailServerDown(tp);
    await invite(owner, 'never@example.com');
    for (let i = 0; i < 10; i++) {
      tp.clock.advance(13 * 3600_000);
      await sender(tp).deliverDue();
    }
    restore();
    const [row] = await queue(tp);
    assert.equal(row.status, 'failed');
    assert.equal(Number(row.attempts), 8);
    assert.equal(await count(tp, 'outbox'), 0);
  });
});
