import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { hashToken } from '../../module/invites/token';
import { BASE_URL, DAY, invite, lastMail, linkOf, ownerSetup, traces } from './helpers';
import { allRows, count, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import { replaceMethod } from '../helpers/replace';

describe('invitations: the invite form', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('sends an invitation e-mail with a link from the configured base URL and stores only the hash', async () => {
    const { account, owner } = await ownerSetup(tp);
    const events: Array<Record<string, unknown>> = [];
    tp.portal.hooks.on('AccountUserInvited', (p: Record<string, unknown>) => {
      events.push(p);
    });
    const before = tp.clock.now();
    const res = await invite(owner, ' New.Person@Example.COM ', ['invoices', 'tickets']);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/account/users');

    const row = await foundRow(tp, TABLES.invites);
    assert.equal(row.email, 'new.person@example.com');
    assert.equal(row.pending_email, 'new.person@example.com');
    assert.equal(Number(row.account_id), account.id);
    assert.equal(Number(row.invited_by), account.ownerId);
    assert.equal(row.invited_by_admin, null, 'sent by the owner, not by staff');
    assert.deepEqual(JSON.parse(row.permissions), ['invoices', 'tickets']);
    assert.ok(!row.all_permissions);
    assert.equal(Number(row.sent_count), 1);
    const expires = Number(row.expires_at) - Number(row.created_at);
    assert.equal(expires, 7 * DAY);
    assert.ok(Number(row.created_at) >= before);

    const mail = await lastMail(tp, 'new.person@example.com');
    assert.match(mail.subject, /Alice Archer invited you to Acme Web Studio/);
    assert.match(mail.text, /Alice Archer invited you to use the customer account Acme Web Studio/);
    assert.match(
      mail.text,
      /- Invoices: View and pay invoices\.\n- Support tickets: Open, view and reply to support tickets\./,
    );
    const link = linkOf(mail);
    assert.ok(link.url.startsWith(`${BASE_URL}/account/invite/`), link.url);
    assert.ok(mail.html.includes(`href="${link.url}"`));
    // At least 128 bits: 32 random bytes in base64url.
    assert.equal(link.token.length, 43);
    assert.equal(row.token_hash, hashToken(link.token));
    assert.equal(await count(tp, TABLES.log, { action: 'invite_sent', account_id: account.id }), 1);
    assert.equal(events.length, 1);
    assert.equal(events[0].email, 'new.person@example.com');

    const page = await owner.get('/account/users');
    assert.match(page.text, /Invitation sent to new.person@example.com/);
  });

  it('never stores the token: no column of the table contains it', async () => {
    const { owner } = await ownerSetup(tp);
    await invite(owner, 'someone@example.com');
    const { token } = linkOf(await lastMail(tp));
    const rows = await allRows(tp, TABLES.invites);
    assert.equal(rows.length, 1);
    for (const [column, value] of Object.entries(rows[0]))
      assert.ok(!String(value).includes(token), `column ${column} holds the token`);
    assert.equal(
      await count(tp, TABLES.invites, (q) =>
        q
          .where('token_hash', token)
          .orWhere('email', 'like', `%${token}%`)
          .orWhere('permissions', 'like', `%${token}%`),
      ),
      0,
    );
    const log = await allRows(tp, TABLES.log);
    for (const entry of log) assert.ok(!JSON.stringify(entry).includes(token), 'the log holds the token');
  });

  it('builds the link from the base URL whatever Host and X-Forwarded-Host say', async () => {
    const { owner } = await ownerSetup(tp);
    const res = await owner.post(
      '/account/users/invite',
      { email: 'forged@example.com', access: 'all' },
      { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'http' },
    );
    assert.equal(res.status, 303);
    const mail = await lastMail(tp, 'forged@example.com');
    assert.ok(linkOf(mail).url.startsWith(`${BASE_URL}/account/invite/`));
    assert.doesNotMatch(mail.text + mail.html, /evil\.example/);
  });

  it('escapes names typed by users in the e-mail and keeps the subject on one line', async () => {
    const ownerUser = await tp.f.user({ firstName: '<b>Al</b>', lastName: 'O"Neil & Co' });
    await tp.f.account({ name: 'Evil <script>alert(1)</script>\r\nBcc: x@y.z', ownerId: ownerUser.id });
    const owner = await tp.login(ownerUser.email);
    assert.equal((await invite(owner, 'esc@example.com')).status, 303);
    const mail = await lastMail(tp, 'esc@example.com');
    assert.doesNotMatch(mail.html, /<script>|<b>Al/);
    assert.match(mail.html, /&lt;script&gt;/);
    assert.match(mail.text, /<b>Al<\/b> O"Neil & Co/);
    assert.doesNotMatch(mail.subject, /[\r\n]/);
  });

  describe('refusals: a clear message, no e-mail, no row', () => {
    async function refused(
      tp: TestPortal,
      send: () => Promise<{ status: number; text: string }>,
      status: number,
      message: RegExp,
    ): Promise<string> {
      const before = await traces(tp);
      const res = await send();
      assert.equal(res.status, status, res.text.slice(0, 500));
      assert.match(res.text, message);
      assert.deepEqual(await traces(tp), before, 'nothing was sent or written');
      return res.text;
    }

    it('refuses invalid addresses, too long addresses and bad permission choices, showing the form again', async () => {
      const { owner } = await ownerSetup(tp);
      let page = await refused(tp, () => invite(owner, 'not-an-address'), 422, /Please enter a valid e-mail address/);
      assert.match(page, /value="not-an-address"/);
      assert.match(page, /aria-describedby="invite-email-help invite-email-error"/);
      await refused(tp, () => invite(owner, ''), 422, /Please enter an e-mail address/);
      await refused(tp, () => invite(owner, `${'a'.repeat(64)}@${'b'.repeat(186)}.com`), 422, /at most 254 characters/);
      await refused(tp, () => invite(owner, 'a b@example.com'), 422, /valid e-mail address/);
      await refused(tp, () => invite(owner, 'x@localhost'), 422, /valid e-mail address/);
      page = await refused(
        tp,
        () => owner.post('/account/users/invite', { email: 'ok@example.com', access: 'choose' }),
        422,
        /Please choose at least one permission/,
      );
      assert.match(page, /value="ok@example.com"/);
      await refused(tp, () => invite(owner, 'ok@example.com', ['invoices', 'root']), 422, /does not exist/);
      await refused(
        tp,
        () => owner.post('/account/users/invite', { email: 'ok@example.com', access: 'everything' }),
        422,
        /All Permissions or Choose Permissions/,
      );
    });

    it("refuses the owner's own address and addresses that already have access", async () => {
      const { account, owner, ownerEmail } = await ownerSetup(tp);
      const member = await tp.f.user();
      await tp.f.member(account.id, member.id, ['tickets']);
      await refused(tp, () => invite(owner, ownerEmail.toUpperCase()), 422, /is your own address/);
      await refused(tp, () => invite(owner, member.email), 422, /already has access to this account/);
    });

    it('refuses at the user limit, counting members and pending invitations (0 means no limit)', async () => {
      const { account, owner } = await ownerSetup(tp);
      await tp.setSettings({ maxUsersPerAccount: 3 });
      const member = await tp.f.user();
      await tp.f.member(account.id, member.id, 'all');
      assert.equal((await invite(owner, 'first@example.com')).status, 303);
      await refused(tp, () => invite(owner, 'second@example.com'), 422, /limit of 3 users/);
      await tp.setSettings({ maxUsersPerAccount: 0 });
      assert.equal((await invite(owner, 'second@example.com')).status, 303);
    });

    it('refuses more invitations per hour than allowed, counting resends, and allows more an hour later', async () => {
      const { owner } = await ownerSetup(tp);
      await tp.setSettings({ invitesPerHour: 2 });
      assert.equal((await invite(owner, 'one@example.com')).status, 303);
      const first = await foundRow(tp, TABLES.invites);
      tp.clock.advance(61_000);
      assert.equal((await owner.post(`/account/invites/${first.id}/resend`)).status, 303);
      await refused(tp, () => invite(owner, 'two@example.com'), 429, /sent 2 invitations in the last hour/);
      tp.clock.advance(61_000);
      await refused(tp, () => owner.post(`/account/invites/${first.id}/resend`), 429, /in the last hour/);
      tp.clock.advance(3600_000 + 1000);
      assert.equal((await invite(owner, 'two@example.com')).status, 303);
    });

    it('offers to resend instead of making a second invitation to a pending address', async () => {
      const { owner } = await ownerSetup(tp);
      assert.equal((await invite(owner, 'twice@example.com')).status, 303);
      const { id } = await foundRow(tp, TABLES.invites);
      const page = await refused(
        tp,
        () => invite(owner, 'Twice@Example.com', ['invoices']),
        409,
        /already has a pending invitation/,
      );
      assert.match(page, new RegExp(`action="/account/invites/${id}/resend"`));
      assert.match(page, /Resend the invitation to twice@example.com/);
    });

    it('tells the owner the invitation is kept and its e-mail will follow when it can not be sent now', async () => {
      const { owner } = await ownerSetup(tp);
      const mailer = tp.portal.accountUsers.services.ctx.host.mailer;
      const restore = replaceMethod(mailer, 'send', () => Promise.reject(new Error('SMTP down')));
      try {
        assert.equal((await invite(owner, 'unlucky@example.com')).status, 303);
      } finally {
        restore();
      }
      assert.match((await owner.get('/account/users')).text, /Its e-mail could not be sent yet; it goes out by itself/);
      assert.equal(await count(tp, TABLES.invites, { pending_email: 'unlucky@example.com' }), 1);
    });

    it('refuses users who are not the owner and posts without the CSRF token', async () => {
      const { account, owner } = await ownerSetup(tp);
      const member = await tp.f.user();
      await tp.f.member(account.id, member.id, 'all');
      const client = await tp.login(member.email);
      await refused(
        tp,
        () => invite(client, 'x@example.com'),
        403,
        /Only the account owner or a user with “Manage users” can manage users\./,
      );
      await refused(
        tp,
        () => owner.post('/account/users/invite', { _csrf: 'wrong', email: 'x@example.com', access: 'all' }),
        403,
        /form had expired/,
      );
    });
  });

  it('replaces an expired pending invitation to the same address with a new one', async () => {
    const { owner } = await ownerSetup(tp);
    await invite(owner, 'late@example.com');
    const old = linkOf(await lastMail(tp, 'late@example.com'));
    tp.clock.advance(7 * DAY + 1000);
    assert.equal((await invite(owner, 'late@example.com')).status, 303);
    const rows = await allRows(tp, TABLES.invites, (q) => q.where('email', 'late@example.com').orderBy('id'));
    assert.equal(rows.length, 2);
    assert.equal(rows[0].pending_email, null);
    assert.equal(rows[1].pending_email, 'late@example.com');
    const fresh = linkOf(await lastMail(tp, 'late@example.com'));
    assert.notEqual(fresh.token, old.token);
    assert.equal((await tp.anonymous().get(fresh.path)).status, 200);
    assert.equal((await tp.anonymous().get(old.path)).status, 404);
  });
});
