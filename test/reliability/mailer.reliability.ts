import assert from 'node:assert/strict';
import net from 'node:net';
import type { Portal } from '../../host/app';
import { count } from '../helpers/db';
import { Client } from '../helpers/portal';
import type { Factories } from '../helpers/factories';
import { MailSender } from '../../module/mail/sender';
import { freshDatabase, instance, requireMysql } from './setup';
import { TABLES } from '../../module/tables';

const PASSWORD = 'test-password-1';

/** A port where nothing listens: SMTP to it fails at once, like a mail server that is down. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The mail server fails: the invitation is kept with its e-mail queued, and sent later exactly once. */
describe('reliability: the mailer fails', function () {
  this.timeout(60_000);
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let healthy: Portal;
  let broken: Portal;
  let f: Factories;
  let owner: Client;
  let brokenOwner: Client;

  before(async function () {
    await requireMysql(this);
    db = await freshDatabase('mailer');
    ({ portal: healthy, f } = await instance(db.knex, { activate: true }));
    // The same portal and database, with SMTP pointing at a server that is down.
    ({ portal: broken } = await instance(db.knex, { config: { smtpUrl: `smtp://127.0.0.1:${await deadPort()}` } }));
    const alice = await f.user({ email: 'alice@mailer.test' });
    await f.account({ name: 'Acme', ownerId: alice.id });
    owner = await Client.login(healthy.app, alice.email, PASSWORD);
    await owner.refreshCsrf('/account/users');
    brokenOwner = await Client.login(broken.app, alice.email, PASSWORD);
    await brokenOwner.refreshCsrf('/account/users');
  });

  after(async () => {
    await healthy?.close();
    await broken?.close();
    await db?.drop();
  });

  it('an invitation whose e-mail fails stays with its e-mail queued; another instance sends it once', async () => {
    const res = await brokenOwner.post('/account/users/invite', { email: 'lost@mailer.test', access: 'all' });
    assert.equal(res.status, 303);
    assert.equal(await count(db, TABLES.invites, { pending_email: 'lost@mailer.test' }), 1);
    assert.equal(await count(db, 'outbox', { to_address: 'lost@mailer.test' }), 0);
    // The healthy instance's pass, a minute later: the e-mail goes out once, with a working link.
    const ctx = healthy.accountUsers.services.ctx;
    const later = new MailSender(
      { ...ctx, now: () => Date.now() + 61_000 },
      (token) => `https://portal.example.test/account/invite/${token}`,
    );
    assert.equal(
      (await Promise.all([later.deliverDue(), later.deliverDue()])).reduce((a, b) => a + b, 0),
      1,
    );
    const mail = (await db.knex('outbox').where('to_address', 'lost@mailer.test').first()) as { text: string };
    const token = /\/invite\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
    assert.equal((await new Client(healthy.app).get(`/account/invite/${token}`)).status, 200);
  });

  it('a resend whose e-mail fails makes the old link dead at once and queues the new e-mail', async () => {
    await owner.post('/account/users/invite', { email: 'resend@mailer.test', access: 'all' });
    const mail = (await db.knex('outbox').where('to_address', 'resend@mailer.test').first()) as { text: string };
    const token = /\/invite\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1];
    const invite = (await db.knex(TABLES.invites).where('pending_email', 'resend@mailer.test').first()) as {
      id: number;
    };
    // A resend within a minute of the last send is refused as a double click: this one comes later.
    await db
      .knex(TABLES.invites)
      .where({ id: invite.id })
      .update({ last_sent_at: Date.now() - 120_000 });
    const res = await brokenOwner.post(`/account/invites/${invite.id}/resend`);
    assert.equal(res.status, 303);
    assert.equal(await count(db, TABLES.mailQueue, { invite_id: invite.id, status: 'queued' }), 1);
    assert.equal(
      (await new Client(healthy.app).get(`/account/invite/${token}`)).status,
      404,
      'the first link no longer opens',
    );
  });

  it('the portal stays usable while mail is down', async () => {
    assert.equal((await brokenOwner.get('/account/users')).status, 200);
  });
});
