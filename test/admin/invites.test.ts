import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { adminWorld, BASE, lastLog, textOf, type AdminWorld } from './helpers';
import { count, firstRow, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';

const DAY = 24 * 3600_000;

describe("admin: invitations on an account's behalf", () => {
  let tp: TestPortal;
  let w: AdminWorld;
  let admin: Client;
  let blue: string;
  beforeEach(async () => {
    tp = await setupPortal();
    w = await adminWorld(tp);
    admin = await tp.staffLogin(w.admin.email);
    blue = `${BASE}/accounts/${w.blueFish.id}`;
  });
  afterEach(() => tp.close());

  const invite = (email: string) => foundRow(tp, TABLES.invites, { account_id: w.blueFish.id, email });
  const findInvite = (email: string) => firstRow(tp, TABLES.invites, { account_id: w.blueFish.id, email });
  const mailTo = (to: string) => foundRow(tp, 'outbox', (q) => q.where('to_address', to).orderBy('id', 'desc'));

  it("sends an invitation in the owner's name; the log names the admin", async () => {
    const res = await admin.post(`${blue}/invites`, {
      email: 'Newbie@Example.test',
      access: 'choose',
      permissions: ['invoices'],
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, blue);
    const row = await invite('newbie@example.test');
    assert.ok(row.pending_email);
    assert.equal(Number(row.invited_by), w.bob.id, 'the owner is the inviter');
    assert.equal(Number(row.invited_by_admin), w.admin.id, 'and the staff member who sent it is recorded');
    assert.deepEqual(JSON.parse(row.permissions), ['invoices']);
    const mail = await mailTo('newbie@example.test');
    assert.match(mail.subject, /Bob Baker/);
    assert.match(mail.subject, /Blue Fish Bakery/);
    const entry = await lastLog(tp, w.blueFish.id);
    assert.deepEqual(
      [entry.action, entry.actor_type, entry.actor_name, Number(entry.actor_id), entry.target_email],
      ['invite_sent', 'admin', 'Ada Admin', w.admin.id, 'newbie@example.test'],
    );
    const page = textOf((await admin.get(blue)).text);
    assert.match(page, /Invitation sent to newbie@example\.test with access to: Invoices\./);
    assert.match(page, /newbie@example\.test Invoices/);

    // The invitee accepts as from any invitation.
    const link = /(https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+)/.exec(mail.text)![1];
    const visitor = tp.anonymous();
    const path = new URL(link).pathname;
    await visitor.refreshCsrf(path);
    assert.equal(
      (
        await visitor.post(`${path}/register`, {
          firstName: 'Nia',
          lastName: 'New',
          password: 'a-long-password-1',
          passwordConfirm: 'a-long-password-1',
        })
      ).status,
      303,
    );
    assert.equal(await count(tp, TABLES.members, { account_id: w.blueFish.id }), 3);
  });

  const refusals: Array<[string, Record<string, string | string[]>, number, RegExp]> = [
    ['an invalid address', { email: 'not-an-address', access: 'all' }, 422, /Please enter a valid e-mail address/],
    [
      'no permission chosen',
      { email: 'x@example.test', access: 'choose' },
      422,
      /Please choose at least one permission\./,
    ],
    [
      "the owner's own address",
      { email: 'bob@example.test', access: 'all' },
      422,
      new RegExp(
        [
          /bob@example\.test is the address of the account owner, who already has every permission\./.source,
          / No invitation was sent\./.source,
        ].join(''),
      ),
    ],
    [
      'a user who already has access',
      { email: 'dev@example.test', access: 'all' },
      422,
      /dev@example\.test already has access to this account/,
    ],
  ];
  for (const [what, fields, status, message] of refusals) {
    it(`refuses ${what} with a message and sends nothing`, async () => {
      const before = {
        invites: await count(tp, TABLES.invites),
        mails: await count(tp, 'outbox'),
        log: await count(tp, TABLES.log),
      };
      const res = await admin.post(`${blue}/invites`, fields);
      assert.equal(res.status, status);
      assert.match(textOf(res.text), message);
      assert.deepEqual(
        {
          invites: await count(tp, TABLES.invites),
          mails: await count(tp, 'outbox'),
          log: await count(tp, TABLES.log),
        },
        before,
      );
    });
  }

  it('refuses a second invitation to a pending address', async () => {
    assert.equal((await admin.post(`${blue}/invites`, { email: 'twice@example.test', access: 'all' })).status, 303);
    const res = await admin.post(`${blue}/invites`, { email: 'twice@example.test', access: 'all' });
    assert.equal(res.status, 409);
    assert.match(textOf(res.text), /twice@example\.test already has a pending invitation/);
    assert.equal(await count(tp, TABLES.invites, { email: 'twice@example.test' }), 1);
  });

  it('resends: a new link and expiry, the old link stops working, logged as the admin', async () => {
    assert.equal((await admin.post(`${blue}/invites`, { email: 'again@example.test', access: 'all' })).status, 303);
    const first = await invite('again@example.test');
    const oldLink = new URL(
      /(https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+)/.exec((await mailTo('again@example.test')).text)![1],
    ).pathname;
    tp.clock.advance(DAY);
    const res = await admin.post(`${blue}/invites/${first.id}/resend`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, blue);
    const after = await invite('again@example.test');
    assert.equal(Number(after.sent_count), 2);
    assert.ok(Number(after.expires_at) > Number(first.expires_at));
    assert.notEqual(after.token_hash, first.token_hash);
    assert.equal(await count(tp, 'outbox', { to_address: 'again@example.test' }), 2);
    assert.equal((await tp.anonymous().get(oldLink)).status, 404);
    const entry = await lastLog(tp, w.blueFish.id);
    assert.deepEqual([entry.action, entry.actor_type, entry.actor_name], ['invite_resent', 'admin', 'Ada Admin']);
    assert.match(textOf((await admin.get(blue)).text), /A new invitation was sent to again@example\.test/);
  });

  it('cancels after a confirmation page; the link stops working; logged as the admin', async () => {
    assert.equal((await admin.post(`${blue}/invites`, { email: 'gone@example.test', access: 'all' })).status, 303);
    const row = await invite('gone@example.test');
    const link = new URL(/(https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+)/.exec((await mailTo('gone@example.test')).text)![1])
      .pathname;
    const confirm = await admin.get(`${blue}/invites/${row.id}/cancel`);
    assert.equal(confirm.status, 200);
    assert.match(textOf(confirm.text), /Are you sure you want to cancel the invitation to gone@example\.test\?/);
    assert.ok((await invite('gone@example.test')).pending_email, 'the confirmation page changes nothing');
    const res = await admin.post(`${blue}/invites/${row.id}/cancel`);
    assert.equal(res.status, 303);
    const after = await invite('gone@example.test');
    assert.equal(after.pending_email, null);
    assert.ok(after.cancelled_at);
    assert.equal((await tp.anonymous().get(link)).status, 404);
    const entry = await lastLog(tp, w.blueFish.id);
    assert.deepEqual(
      [entry.action, entry.actor_type, entry.actor_name, entry.target_email],
      ['invite_cancelled', 'admin', 'Ada Admin', 'gone@example.test'],
    );
    // Cancelled twice: the invitation is no longer pending.
    assert.equal((await admin.post(`${blue}/invites/${row.id}/cancel`)).status, 404);
    assert.equal((await admin.post(`${blue}/invites/${row.id}/resend`)).status, 404);
  });

  it("counts the admin's invitations towards the account's hourly limit", async () => {
    await tp.setSettings({ invitesPerHour: 1 });
    assert.equal((await admin.post(`${blue}/invites`, { email: 'one@example.test', access: 'all' })).status, 303);
    const res = await admin.post(`${blue}/invites`, { email: 'two@example.test', access: 'all' });
    assert.equal(res.status, 429);
    assert.equal(await findInvite('two@example.test'), undefined);
  });
  it('a closed account takes no invitation, resend or added user from staff: each refused with a message', async () => {
    assert.equal((await admin.post(`${blue}/invites`, { email: 'before@example.test', access: 'all' })).status, 303);
    const pending = await invite('before@example.test');
    const extra = await tp.f.user({ email: 'extra@example.test' });
    await tp.knex('accounts').where('id', w.blueFish.id).update({ status: 'closed' });
    tp.clock.advance(DAY);
    const before = {
      invites: await count(tp, TABLES.invites),
      mails: await count(tp, 'outbox'),
      log: await count(tp, TABLES.log),
      members: await count(tp, TABLES.members),
    };
    const sent = await admin.post(`${blue}/invites`, { email: 'dead@example.test', access: 'all' });
    assert.equal(sent.status, 409);
    assert.match(textOf(sent.text), /Blue Fish Bakery is closed, so nobody can be invited to it/);
    const resent = await admin.post(`${blue}/invites/${pending.id}/resend`);
    assert.equal(resent.status, 409);
    assert.match(textOf(resent.text), /Blue Fish Bakery is closed, so nobody can be invited to it/);
    const added = await admin.post(`${blue}/users`, { email: extra.email, access: 'all' });
    assert.equal(added.status, 409);
    assert.match(textOf(added.text), /This account is closed, so nobody can be given access to it\./);
    assert.deepEqual(
      {
        invites: await count(tp, TABLES.invites),
        mails: await count(tp, 'outbox'),
        log: await count(tp, TABLES.log),
        members: await count(tp, TABLES.members),
      },
      before,
    );
  });
});
