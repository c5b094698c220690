import assert from 'node:assert/strict';
import { Factories } from '../helpers/factories';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, type DemoLike } from '../users/setup';
import { translate } from '../../module/i18n';
import { assertPage, htmlLang, LOCALES, pick, rawKeys } from './helpers';
import { TABLES } from '../../module/tables';
import { firstRow, foundRow } from '../helpers/db';

async function setLocale(tp: TestPortal, userIds: number[], locale: string): Promise<void> {
  await tp.knex('users').whereIn('id', userIds).update({ locale });
}

async function lastMail(tp: TestPortal, to: string) {
  const row = await firstRow(tp, 'outbox', (q) => q.where('to_address', to).orderBy('id', 'desc'));
  assert.ok(row, `an e-mail to ${to} was sent`);
  return row;
}

describe('every page and e-mail in every language', () => {
  let tp: TestPortal;
  let d: DemoLike;
  let alice: Client;
  let inviteId: number;
  let invoiceId: number;

  before(async () => {
    tp = await setupPortal();
    await tp.setSettings({ notifyOwnerOnAccept: true });
    d = await demoLike(tp);
    await tp.f.service(d.acme.id);
    await tp.f.service(d.acme.id, { product: 'VPS', status: 'Cancellation Requested' });
    invoiceId = await tp.f.invoice(d.acme.id, { number: 'INV-2001', status: 'Paid' });
    await tp.knex('domains').insert({
      account_id: d.acme.id,
      name: 'acme.example',
      status: 'Active',
      expires_on: '2027-03-01',
      auto_renew: true,
    });
    await tp.knex('quotes').insert({
      account_id: d.acme.id,
      subject: 'Server for clients',
      total_cents: 100,
      valid_until: '2026-12-31',
      stage: 'Delivered',
    });
    await tp.knex('tickets').insert({
      account_id: d.acme.id,
      subject: 'Mail is slow',
      department: 'Technical',
      status: 'Open',
      message: 'Hello',
      opened_by: d.alice.id,
      updated_at: Date.UTC(2026, 10, 20, 9, 30),
    });
    await tp.knex('contacts').insert({
      account_id: d.acme.id,
      first_name: 'Carla',
      last_name: 'Contact',
      email: 'carla@example.test',
      phone: '',
    });
    alice = await tp.login(d.alice.email);
    await alice.refreshCsrf('/account/users');
    assert.equal(
      (
        await alice.post('/account/users/invite', {
          email: 'pending@example.test',
          access: 'choose',
          permissions: ['invoices', 'tickets'],
        })
      ).status,
      303,
    );
    inviteId = Number((await foundRow(tp, TABLES.invites, { email: 'pending@example.test' })).id);
    await alice.refreshCsrf('/account/users');
    await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'choose', permissions: ['invoices'] });
    await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'all' });
  });
  after(() => tp.close());

  for (const locale of LOCALES) {
    describe(locale, () => {
      it('shows the owner every client and User Management page in the saved language, with no raw key', async () => {
        await setLocale(tp, [d.alice.id], locale);
        const pages = [
          '/',
          '/services',
          '/domains',
          '/invoices',
          `/invoices/${invoiceId}`,
          '/quotes',
          '/tickets',
          '/profile',
          '/contacts',
          '/settings',
          '/account/users',
          '/account/users?q=nobody-matches',
          `/account/users/${d.dev.id}/permissions`,
          `/account/users/${d.dev.id}/remove`,
          '/account/activity',
          `/account/invites/${inviteId}/cancel`,
          '/account/switch',
          '/account/invitations',
          `/account/ownership?userId=${d.dev.id}`,
          '/account/ownership/offers',
        ];
        for (const path of pages) await assertPage(alice, path, locale);
        await assertPage(alice, '/no-such-page', locale, 404);
        await assertPage(alice, '/account/users/999999/permissions', locale, 404);
        const users = await assertPage(alice, '/account/users', locale);
        assert.ok(
          users.includes(`<h1>${translate(locale, 'users.title')}</h1>`) ||
            users.includes(translate(locale, 'users.title')),
        );
        assert.ok(users.includes(translate(locale, 'users.manage')), 'Manage Permissions button translated');
      });

      it('shows refused forms with translated messages', async () => {
        await setLocale(tp, [d.alice.id], locale);
        await alice.refreshCsrf('/account/users');
        const checks: Array<[string, Record<string, string | string[]>, string]> = [
          ['/account/users/invite', { email: 'not-an-address', access: 'all' }, 'invites.errors.emailInvalid'],
          ['/account/users/invite', { email: 'pending@example.test', access: 'all' }, 'invites.errors.pending'],
          [`/account/users/${d.dev.id}/permissions`, { access: 'choose' }, 'permissions.errors.none'],
          ['/tickets', { subject: '', message: '' }, 'tickets.errors.required'],
          ['/language', { locale: 'xx' }, 'userSettings.errors.locale'],
        ];
        for (const [path, fields, key] of checks) {
          const res = await alice.post(path, fields);
          assert.ok(res.status >= 400 && res.status < 500, `${path} answered ${res.status}`);
          assert.equal(htmlLang(res.text), locale);
          assert.deepEqual(rawKeys(res.text), [], `${locale} POST ${path}`);
          const message = translate(locale, key, { email: 'pending@example.test' });
          assert.ok(res.text.includes(escapeHtml(message)), `${locale} ${path}: ${message}`);
        }
      });

      it('shows a member the leave page and the permission-denied page in their language', async () => {
        await setLocale(tp, [d.dev.id], locale);
        const dev = await loginTo(tp, d.dev.email, d.acme.id);
        await assertPage(dev, '/account/leave', locale);
        const inBlueFish = await loginTo(tp, d.dev.email, d.blueFish.id);
        const denied = await assertPage(inBlueFish, '/invoices', locale, 403);
        assert.ok(denied.includes(escapeHtml(translate(locale, 'denied.title'))));
        assert.ok(
          denied.includes(escapeHtml(translate(locale, 'permission.invoices.label'))),
          'the permission is named in the language',
        );
      });

      it('shows visitors the sign-in and invitation pages in the picked language', async () => {
        const visitor = tp.anonymous();
        await pick(visitor, locale);
        await assertPage(visitor, '/login', locale);
        await assertPage(visitor, '/account/invite/not-a-real-token', locale, 404);
      });

      it("sends the invitation in the inviter's language, the owner's notice in theirs, with no raw key", async () => {
        await setLocale(tp, [d.alice.id], locale);
        await alice.refreshCsrf('/account/users');
        const email = `new-${locale.toLowerCase()}@example.test`;
        assert.equal(
          (await alice.post('/account/users/invite', { email, access: 'choose', permissions: ['tickets'] })).status,
          303,
        );
        const mail = await lastMail(tp, email);
        for (const part of [mail.subject, mail.text, mail.html])
          assert.deepEqual(rawKeys(part), [], `${locale} invitation e-mail`);
        assert.equal(
          mail.subject,
          translate(locale, 'email.invite.subject', {
            inviter: 'Alice Archer',
            account: d.acme.name,
            company: 'Example Hosting',
          }),
        );
        assert.ok(
          mail.text.includes(translate(locale, 'email.invite.button')) ||
            mail.html.includes(escapeHtml(translate(locale, 'email.invite.button'))),
        );
        assert.ok(
          mail.text.includes(translate(locale, 'permission.tickets.label')),
          'the access summary is in the same language',
        );

        // The invitee, in the same language, registers from the link; the owner hears of it.
        const path = new URL(/(https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]).pathname;
        const visitor = tp.anonymous();
        await pick(visitor, locale);
        const page = await assertPage(visitor, path, locale);
        visitor.csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
        const reg = await visitor.post(`${path}/register`, {
          firstName: 'Nia',
          lastName: 'New',
          password: Factories.PASSWORD,
          passwordConfirm: Factories.PASSWORD,
        });
        assert.equal(reg.status, 303, `register answered ${reg.status}`);
        const notice = await lastMail(tp, d.alice.email);
        for (const part of [notice.subject, notice.text, notice.html])
          assert.deepEqual(rawKeys(part), [], `${locale} accepted e-mail`);
        assert.equal(
          notice.subject,
          translate(locale, 'email.accepted.subject', {
            name: 'Nia New',
            account: d.acme.name,
            company: 'Example Hosting',
          }),
        );
      });

      it('shows the admin area in the picked language', async () => {
        const admin = await tp.f.admin();
        const client = tp.anonymous();
        await pick(client, locale, '/admin/login');
        await assertPage(client, '/admin/login', locale);
        await client.staffLogin(admin.email);
        for (const path of [
          '/admin',
          '/admin/modules',
          '/admin/modules/deactivate',
          '/admin/outbox',
          '/admin/modules/account_users',
          `/admin/modules/account_users/accounts/${d.acme.id}/users/${d.dev.id}/owner`,
        ])
          await assertPage(client, path, locale);
        await assertPage(client, '/admin/modules/uninstall', locale, 409);
        const mail = await foundRow(tp, 'outbox', (q) => q.orderBy('id'));
        await assertPage(client, `/admin/outbox/${mail.id}`, locale);
      });
    });
  }

  it("formats dates and times in the reader's locale and the portal's time zone", async () => {
    await setLocale(tp, [d.alice.id], 'de');
    const de = (await alice.get('/tickets')).text;
    assert.ok(de.includes('20.11.2026, 09:30'), 'German date and time');
    assert.ok((await alice.get('/invoices')).text.includes('01.11.2026'), 'German calendar date');
    await setLocale(tp, [d.alice.id], 'en');
    assert.ok((await alice.get('/tickets')).text.includes('Nov 20, 2026, 9:30 AM'), 'English date and time');
    assert.ok((await alice.get('/invoices')).text.includes('Nov 1, 2026'));
    await setLocale(tp, [d.alice.id], 'fr');
    assert.ok((await alice.get('/tickets')).text.includes('20 nov. 2026, 09:30'), 'French date and time');
    await setLocale(tp, [d.alice.id], 'pt-BR');
    const pt = (await alice.get('/tickets')).text;
    assert.ok(pt.includes('20 de nov. de 2026'), 'Brazilian date');
    assert.ok(
      pt.includes(translate('pt-BR', 'hostValue.technical')) && pt.includes(translate('pt-BR', 'hostValue.open')),
      'stored values shown in the language',
    );
  });
});

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');
}
