import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { Factories } from '../helpers/factories';
import { bareHost, type BareHost } from '../contract/bare-host';
import { BASE_URL, invite, lastMail, linkOf, ownerSetup } from './helpers';
import { TABLES } from '../../module/tables';
import { foundRow } from '../helpers/db';

const VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">';

describe('invitation e-mails say who sends them and what each permission allows', () => {
  describe('the reference portal (brand "Example Hosting")', () => {
    let tp: TestPortal;
    beforeEach(async () => {
      tp = await setupPortal();
    });
    afterEach(() => tp.close());

    it('names the company in the subject, at the top and in the footer, and reads on a phone', async () => {
      const { owner } = await ownerSetup(tp);
      assert.equal((await invite(owner, 'ivy@example.test', ['invoices'])).status, 303);
      const mail = await lastMail(tp, 'ivy@example.test');
      assert.equal(mail.subject, 'Alice Archer invited you to Acme Web Studio at Example Hosting');
      assert.ok(mail.html.includes(VIEWPORT), 'the viewport meta');
      assert.match(mail.html, /<title>Alice Archer invited you to Acme Web Studio at Example Hosting<\/title>/);
      // The first thing in the body is the company, linking to the portal; the last its footer.
      assert.match(
        mail.html,
        new RegExp(`<body[^>]*>\\s*<div[^>]*>\\s*<p[^>]*><a href="${BASE_URL}"[^>]*>Example Hosting</a></p>`),
      );
      assert.match(
        mail.html,
        new RegExp(
          [
            /Example Hosting sent you this e-mail because Alice Archer invited you to the customer account/.source,
            / Acme Web Studio\.<br><a href="https:\/\/portal\.example\.test"[^>]*>/.source,
            /https:\/\/portal\.example\.test<\/a><\/p>\s*<\/div>\s*<\/body>/.source,
          ].join(''),
        ),
      );
      assert.ok(mail.text.startsWith('Example Hosting\n\n'), 'the text starts with the company');
      assert.match(
        mail.text,
        new RegExp(
          [
            /\n-- \nExample Hosting sent you this e-mail because Alice Archer invited you to the customer account/
              .source,
            / Acme Web Studio\.\nhttps:\/\/portal\.example\.test\n$/.source,
          ].join(''),
        ),
      );
    });

    it('lists each granted permission with what it allows, Manage completed with View', async () => {
      const { owner } = await ownerSetup(tp);
      assert.equal((await invite(owner, 'ivy@example.test', ['manageproducts', 'tickets'])).status, 303);
      const mail = await lastMail(tp, 'ivy@example.test');
      assert.match(
        mail.text,
        new RegExp(
          [
            /What you will be able to do in Acme Web Studio:\n/.source,
            /- View services: See the account's products and services\.\n/.source,
            /- Manage services: Upgrade, downgrade or ask to cancel services\.\n/.source,
            /- Support tickets: Open, view and reply to support tickets\.\n/.source,
          ].join(''),
        ),
      );
      assert.match(
        mail.html,
        /<li[^>]*><strong>View services<\/strong>: See the account&#39;s products and services\.<\/li>/,
      );
      assert.match(
        mail.html,
        /<li[^>]*><strong>Manage services<\/strong>: Upgrade, downgrade or ask to cancel services\.<\/li>/,
      );
      assert.match(
        mail.html,
        /<li[^>]*><strong>Support tickets<\/strong>: Open, view and reply to support tickets\.<\/li>/,
      );
      assert.doesNotMatch(mail.text + mail.html, /Invoices/, 'nothing that was not granted');
    });

    it('explains All Permissions, and a resent invitation lists the same', async () => {
      const { owner } = await ownerSetup(tp);
      assert.equal((await invite(owner, 'ivy@example.test')).status, 303);
      const first = await lastMail(tp, 'ivy@example.test');
      assert.match(
        first.text,
        new RegExp(
          [
            /- All Permissions: Everything the account owner can do except managing users,/.source,
            / including permissions added in the future\./.source,
          ].join(''),
        ),
      );
      const row = await foundRow(tp, TABLES.invites, { email: 'ivy@example.test' });
      tp.clock.advance(2 * 60_000);
      assert.equal((await owner.post(`/account/invites/${row.id}/resend`, { formPage: '/account/users' })).status, 303);
      const resent = await lastMail(tp, 'ivy@example.test');
      assert.notEqual(linkOf(resent).token, linkOf(first).token);
      assert.match(resent.text, /- All Permissions: Everything the account owner can do/);
      assert.match(resent.subject, /at Example Hosting$/);
    });

    it("in the invitee's language: German subject, list and footer", async () => {
      const { owner } = await ownerSetup(tp);
      await tp.f.user({ email: 'ida@example.test', locale: 'de' });
      assert.equal((await invite(owner, 'ida@example.test', ['managedomains'])).status, 303);
      const mail = await lastMail(tp, 'ida@example.test');
      assert.equal(mail.subject, 'Alice Archer hat Sie zu Acme Web Studio bei Example Hosting eingeladen');
      assert.match(
        mail.text,
        /Was Sie in Acme Web Studio tun können:\n- Domains ansehen: .+\n- Domains verwalten: .+\n/,
      );
      assert.match(mail.text, /Example Hosting hat Ihnen diese E-Mail geschickt/);
      assert.ok(mail.html.includes(VIEWPORT));
    });

    it("the owner's notice of an accepted invitation names the company too, and reads on a phone", async () => {
      const { owner, ownerEmail } = await ownerSetup(tp);
      const link = linkOf(
        (await invite(owner, 'nia@example.test', ['invoices']), await lastMail(tp, 'nia@example.test')),
      );
      const visitor = tp.anonymous();
      await visitor.refreshCsrf(link.path);
      const reg = await visitor.post(`${link.path}/register`, {
        firstName: 'Nia',
        lastName: 'New',
        password: Factories.PASSWORD,
        passwordConfirm: Factories.PASSWORD,
      });
      assert.equal(reg.status, 303);
      const notice = await lastMail(tp, ownerEmail);
      assert.equal(notice.subject, 'Nia New accepted your invitation to Acme Web Studio at Example Hosting');
      assert.ok(notice.html.includes(VIEWPORT));
      assert.match(notice.html, /<p[^>]*><a href="https:\/\/portal\.example\.test"[^>]*>Example Hosting<\/a><\/p>/);
      assert.match(
        notice.html,
        /Example Hosting sent you this e-mail because you are the owner of the customer account Acme Web Studio\./,
      );
      assert.ok(notice.text.startsWith('Example Hosting\n\n'));
      assert.match(
        notice.text,
        new RegExp(
          [
            /\n-- \nExample Hosting sent you this e-mail because you are the owner of the customer account/.source,
            / Acme Web Studio\.\n/.source,
          ].join(''),
        ),
      );
    });
  });

  describe("a portal of its own: the contract's brand, or the host name of baseUrl", () => {
    let host: BareHost | undefined;
    afterEach(() => {
      host?.close();
      host = undefined;
    });

    async function inviteOnce(h: BareHost) {
      const owner = await h.user('Olga', 'Owner');
      await h.account('Olive Hosting', owner.id);
      const client = await h.signIn(owner.id);
      assert.equal(
        (
          await client.post(
            '/account/users/invite',
            { email: 'ivy@example.test', access: 'choose', permissions: ['invoices'] },
            '/account/users',
          )
        ).status,
        303,
      );
      return h.mails.find((m) => m.to === 'ivy@example.test')!;
    }

    it('brand.name, with control characters kept off the subject line', async () => {
      host = await bareHost({ brand: { name: 'Blue\r\nBcc: x@y.z Hosting' } });
      const mail = await inviteOnce(host);
      assert.equal(mail.subject, 'Olga Owner invited you to Olive Hosting at Blue Bcc: x@y.z Hosting');
      assert.match(mail.text, /^Blue Bcc: x@y\.z Hosting\n/);
    });

    it('without brand: the host name of baseUrl', async () => {
      host = await bareHost();
      const mail = await inviteOnce(host);
      assert.equal(mail.subject, 'Olga Owner invited you to Olive Hosting at bare.example.test');
      assert.match(mail.text, /^bare\.example\.test\n/);
      assert.match(mail.html, /bare\.example\.test sent you this e-mail because Olga Owner invited you/);
      assert.match(mail.html, /<strong>Invoices<\/strong>: View and pay invoices\./);
    });
  });
});
