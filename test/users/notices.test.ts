import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { allRows, count } from '../helpers/db';
import { demoLike, loginTo, type DemoLike } from './setup';
import { BASE } from '../admin/helpers';
import { TABLES } from '../../module/tables';

/**
 * The e-mails that tell a person their own access changed: permissions, removal, ownership. Each
 * is sent once, in the reader's profile language, and has its own setting.
 */
describe('change notices: a person is told when their access to an account changes', () => {
  let tp: TestPortal;
  let w: DemoLike;
  let alice: Client;
  let staff: Client;
  /** Erin: a user of Acme with tickets only, who reads German. */
  let erin: { id: number; email: string };
  beforeEach(async () => {
    tp = await setupPortal();
    w = await demoLike(tp);
    erin = await tp.f.user({ email: 'erin@example.test', firstName: 'Erin', lastName: 'Engel', locale: 'de' });
    await tp.f.member(w.acme.id, erin.id, ['tickets']);
    alice = await loginTo(tp, w.alice.email, w.acme.id);
    staff = await tp.staffLogin((await tp.f.admin({ email: 'ada@hosting.test', name: 'Ada Admin' })).email);
  });
  afterEach(() => tp.close());

  const mailsTo = (email: string) => allRows(tp, 'outbox', (q) => q.where('to_address', email).orderBy('id'));
  const ownerSaves = (userId: number, body: Record<string, string | string[]>) =>
    alice.post(`/account/users/${userId}/permissions`, body);
  const acme = () => `${BASE}/accounts/${w.acme.id}`;

  describe('permissions changed', () => {
    it("by the owner: one e-mail in the reader's language naming the owner, account and new access", async () => {
      assert.equal((await ownerSaves(erin.id, { access: 'choose', permissions: ['invoices', 'tickets'] })).status, 303);
      const mails = await mailsTo(erin.email);
      assert.equal(mails.length, 1);
      assert.equal(mails[0].subject, 'Ihr Zugriff auf Acme Web Studio bei Example Hosting wurde geändert');
      assert.match(mails[0].text, /Alice Archer hat geändert, was Sie im Kundenkonto Acme Web Studio tun dürfen\./);
      assert.match(mails[0].text, /Ihr Zugriff jetzt: Rechnungen, Support-Tickets\./);
      assert.match(mails[0].text, /Ihre Konten öffnen: https:\/\/portal\.example\.test\/account\/switch/);
      assert.match(mails[0].html, /<html lang="de">/);
      // Nobody else is written to.
      assert.equal(await count(tp, 'outbox'), 1);
    });

    it('by staff: the e-mail says the hosting company changed it; English without a profile language', async () => {
      const res = await staff.post(`${acme()}/users/${w.dev.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets'],
      });
      assert.equal(res.status, 303);
      const mails = await mailsTo(w.dev.email);
      assert.equal(mails.length, 1);
      assert.equal(mails[0].subject, 'Your access to Acme Web Studio at Example Hosting has changed');
      assert.match(mails[0].text, /Example Hosting changed what you may do in the customer account Acme Web Studio\./);
      assert.match(mails[0].text, /Your access now: Support tickets\./);
      assert.doesNotMatch(mails[0].text, /Ada Admin/);
    });

    it('none for a save that changes nothing (the same set, by the owner or staff)', async () => {
      assert.equal((await ownerSaves(erin.id, { access: 'choose', permissions: ['tickets'] })).status, 303);
      assert.equal((await ownerSaves(w.dev.id, { access: 'all' })).status, 303);
      const staffSave = await staff.post(`${acme()}/users/${erin.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets'],
      });
      assert.equal(staffSave.status, 303);
      assert.equal(await count(tp, 'outbox'), 0);
    });

    it('none when notifyPermissionsChanged is off', async () => {
      await tp.setSettings({ notifyPermissionsChanged: false });
      assert.equal((await ownerSaves(erin.id, { access: 'all' })).status, 303);
      assert.equal(await count(tp, 'outbox'), 0);
    });
  });

  describe('access removed', () => {
    it('by the owner: one e-mail naming the owner and the account', async () => {
      assert.equal((await alice.post(`/account/users/${erin.id}/remove`)).status, 303);
      const mails = await mailsTo(erin.email);
      assert.equal(mails.length, 1);
      assert.equal(mails[0].subject, 'Ihr Zugriff auf Acme Web Studio bei Example Hosting wurde beendet');
      assert.match(mails[0].text, /Alice Archer hat Ihren Zugriff auf das Kundenkonto Acme Web Studio entfernt\./);
      assert.match(mails[0].text, /Sie können Acme Web Studio nicht mehr öffnen\./);
      assert.equal(await count(tp, 'outbox'), 1);
    });

    it('by staff: the e-mail names the hosting company', async () => {
      assert.equal((await staff.post(`${acme()}/users/${w.dev.id}/remove`)).status, 303);
      const mails = await mailsTo(w.dev.email);
      assert.equal(mails.length, 1);
      assert.match(mails[0].text, /Example Hosting removed your access to the customer account Acme Web Studio\./);
    });

    it('none to someone who leaves on their own', async () => {
      const dev = await loginTo(tp, w.dev.email, w.acme.id);
      await dev.refreshCsrf('/account/leave');
      assert.equal((await dev.post('/account/leave')).status, 303);
      assert.equal(await count(tp, 'outbox'), 0);
    });

    it('none when notifyAccessRemoved is off', async () => {
      await tp.setSettings({ notifyAccessRemoved: false });
      assert.equal((await alice.post(`/account/users/${erin.id}/remove`)).status, 303);
      assert.equal(await count(tp, 'outbox'), 0);
    });
  });

  describe('owner changed', () => {
    it('staff Make Owner: the new owner and the previous owner each get one e-mail in their language', async () => {
      await tp.knex('users').where('id', w.alice.id).update({ locale: 'fr' });
      const res = await staff.post(`${acme()}/users/${erin.id}/owner`, { access: 'choose', permissions: ['invoices'] });
      assert.equal(res.status, 303);
      const toErin = await mailsTo(erin.email);
      assert.equal(toErin.length, 1);
      assert.equal(toErin[0].subject, 'Sie sind jetzt Inhaber von Acme Web Studio bei Example Hosting');
      assert.match(toErin[0].text, /Sie sind jetzt Inhaber des Kundenkontos Acme Web Studio\./);
      const toAlice = await mailsTo(w.alice.email);
      assert.equal(toAlice.length, 1);
      assert.equal(toAlice[0].subject, 'Vous n’êtes plus propriétaire de Acme Web Studio chez Example Hosting');
      assert.match(toAlice[0].text, /Erin Engel est maintenant propriétaire du compte client Acme Web Studio\./);
      assert.match(toAlice[0].text, /Vous restez utilisateur du compte\. Votre accès désormais : Factures\./);
      assert.equal(await count(tp, 'outbox'), 2, 'no permissions notice besides');
    });

    it('an account without an owner: only the new owner is written to', async () => {
      await tp.knex(TABLES.members).where({ account_id: w.acme.id, user_id: w.alice.id }).del();
      assert.equal((await staff.post(`${acme()}/users/${w.dev.id}/owner`, { access: 'all' })).status, 303);
      assert.equal((await mailsTo(w.dev.email)).length, 1);
      assert.equal(await count(tp, 'outbox'), 1);
    });

    it('none when notifyOwnerChanged is off, and none for a move that changes nothing', async () => {
      await tp.setSettings({ notifyOwnerChanged: false });
      assert.equal((await staff.post(`${acme()}/users/${erin.id}/owner`, { access: 'all' })).status, 303);
      await tp.setSettings({ notifyOwnerChanged: true });
      assert.equal((await staff.post(`${acme()}/users/${erin.id}/owner`, { access: 'all' })).status, 409);
      assert.equal(await count(tp, 'outbox'), 0);
    });
  });

  it('a failing mail server does not undo the change', async () => {
    const mailer = tp.portal.accountUsers.services.ctx.host.mailer;
    const send = mailer.send.bind(mailer);
    mailer.send = () => Promise.reject(new Error('SMTP down'));
    try {
      assert.equal((await ownerSaves(erin.id, { access: 'all' })).status, 303);
      assert.equal((await alice.post(`/account/users/${w.dev.id}/remove`)).status, 303);
    } finally {
      mailer.send = send;
    }
    const rows = await allRows(tp, TABLES.members, { account_id: w.acme.id });
    assert.deepEqual(rows.map((r) => Number(r.user_id)).sort(), [w.alice.id, erin.id].sort());
  });
});
