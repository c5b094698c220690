import assert from 'node:assert/strict';
import { bareHost, type BareHost } from './bare-host';

/** A fixed moment, so the times a page shows can be read in two time zones. */
const AT = Date.UTC(2026, 0, 15, 10, 30);

describe('host contract: pages in a bare host (area, messages, person, language, time zone)', () => {
  let host: BareHost | undefined;
  afterEach(() => host?.close());

  it('hands client pages to renderPage with area "client" and admin pages with area "admin"', async () => {
    host = await bareHost();
    const owner = await host.user('Olga', 'Owner');
    const accountId = await host.account('Olive Hosting', owner.id);
    const client = await host.signIn(owner.id);
    assert.equal((await client.get('/account/users')).status, 200);
    const staff = await host.signInAdmin(await host.admin());
    assert.equal((await staff.get(`/admin/account-users/accounts/${accountId}`)).status, 200);

    const users = host.pages.find((p) => p.path === '/account/users');
    const admin = host.pages.find((p) => p.path === `/admin/account-users/accounts/${accountId}`);
    assert.equal(users?.area, 'client');
    assert.equal(admin?.area, 'admin');
    assert.match(admin.body, /Olive Hosting/);
  });

  it('passes the translated success text of an invitation on; the own layout shows it without renderPage', async () => {
    for (const withRenderPage of [true, false]) {
      host = await bareHost({ renderPage: withRenderPage });
      const owner = await host.user('Olga', 'Owner');
      await host.account('Olive Hosting', owner.id);
      const client = await host.signIn(owner.id);
      const res = await client.post(
        '/account/users/invite',
        { email: 'ivy@example.test', access: 'all' },
        '/account/users',
      );
      assert.equal(res.status, 303, `invite answered ${res.status}`);
      const next = await client.get(res.headers.location);
      assert.equal(next.status, 200);
      assert.match(next.text, /Invitation sent to ivy@example\.test with All Permissions\./);
      if (withRenderPage) {
        const page = host.pages.at(-1)!;
        assert.deepEqual(page.messages, [
          { type: 'success', text: 'Invitation sent to ivy@example.test with All Permissions.' },
        ]);
        // Shown once: the page after carries none.
        await client.get('/account/users');
        assert.deepEqual(host.pages.at(-1)!.messages, []);
      }
      host.close();
      host = undefined;
    }
  });

  it('reads the signed-in person through users.fromRequest (the host user object says first_name)', async () => {
    host = await bareHost();
    const owner = await host.user('Olga', 'Owner');
    await host.account('Olive Hosting', owner.id);
    const client = await host.signIn(owner.id);
    const res = await client.post(
      '/account/users/invite',
      { email: 'ivy@example.test', access: 'all' },
      '/account/users',
    );
    assert.equal(res.status, 303);
    // The invitation names the inviter by the host's own user object.
    const mail = host.mails.find((m) => m.to === 'ivy@example.test');
    assert.ok(mail, 'the invitation went out');
    assert.match(mail.text, /Olga Owner/);
    assert.doesNotMatch(mail.text, /undefined/);
  });

  it('shows pages in the language locale(req) gives and times in the zone timeZone(req) gives', async () => {
    let lang: string | undefined;
    let zone = 'UTC';
    host = await bareHost({ locale: () => lang, timeZone: () => zone, now: () => AT });
    const owner = await host.user('Olga', 'Owner');
    await host.account('Olive Hosting', owner.id);
    const client = await host.signIn(owner.id);
    assert.equal(
      (await client.post('/account/users/invite', { email: 'ivy@example.test', access: 'all' }, '/account/users'))
        .status,
      303,
    );

    assert.match((await client.get('/account/users')).text, /<h1>User Management<\/h1>/);
    lang = 'de';
    const german = await client.get('/account/users');
    assert.match(german.text, /<h1>Benutzerverwaltung<\/h1>/);
    assert.equal(host.pages.at(-1)!.title, 'Benutzerverwaltung');
    lang = undefined;

    const shown = (tz: string) =>
      new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }).format(new Date(AT));
    const utc = await client.get('/account/activity');
    assert.ok(utc.text.includes(shown('UTC')), `the activity shows ${shown('UTC')}`);
    zone = 'Asia/Tokyo';
    const tokyo = await client.get('/account/activity');
    assert.ok(tokyo.text.includes(shown('Asia/Tokyo')), `the activity shows ${shown('Asia/Tokyo')}`);
    assert.ok(!tokyo.text.includes(shown('UTC')));
  });
});
