import assert from 'node:assert/strict';
import { encodeForm, setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { loginTo } from '../users/setup';
import { diff, snapshot } from './snapshot';
import { TABLES } from '../../module/tables';
import { allRows, foundRow } from '../helpers/db';

/** The hidden fields of the page's POST form whose action is `action`, as a browser would send them. */
function hiddenFields(html: string, action: string): Record<string, string> {
  // The page's own forms: the account menu has switch forms of its own.
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;
  const forms = main.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
  const form = forms.find((f) => f.includes(`action="${action}"`));
  assert.ok(form, `the page has a form posting to ${action}`);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]] = m[2].replace(/&#34;/g, '"').replace(/&amp;/g, '&');
  return fields;
}

describe('forms are bound to the account they were shown for', () => {
  let tp: TestPortal;
  let ids: {
    acme: number;
    alpha: number;
    alice: number;
    dev: number;
    carol: number;
    acmeInvite: number;
    service: number;
    domain: number;
    blueFish: number;
  };

  beforeEach(async () => {
    tp = await setupPortal();
    const { f, knex } = tp;
    const alice = await f.user({ email: 'alice@forms.test', firstName: 'Alice', lastName: 'Archer' });
    const dev = await f.user({ email: 'dev@forms.test', firstName: 'Dana', lastName: 'Dev' });
    const carol = await f.user({ email: 'carol@forms.test', firstName: 'Carol', lastName: 'Clerk' });
    const bob = await f.user({ email: 'bob@forms.test', firstName: 'Bob', lastName: 'Baker' });
    const acme = await f.account({ name: 'Acme Web Studio', ownerId: alice.id });
    const alpha = await f.account({ name: 'Alpha Two Hosting', ownerId: alice.id });
    const blueFish = await f.account({ name: 'Blue Fish Bakery', ownerId: bob.id });
    await f.member(acme.id, dev.id, 'all');
    await f.member(alpha.id, dev.id, 'all');
    await f.member(acme.id, carol.id, ['tickets']);
    await f.member(alpha.id, carol.id, ['tickets']);
    const service = await f.service(acme.id);
    const [domain] = await knex('domains').insert({
      account_id: acme.id,
      name: 'acme.test',
      status: 'Active',
      expires_on: '2027-05-01',
      auto_renew: true,
    });
    const invite = await f.invite(acme.id, { email: 'pat@forms.test' });
    ids = {
      acme: acme.id,
      alpha: alpha.id,
      alice: alice.id,
      dev: dev.id,
      carol: carol.id,
      acmeInvite: Number(invite.id),
      service,
      domain: Number(domain),
      blueFish: blueFish.id,
    };
  });

  afterEach(() => tp.close());

  const forms = (): Array<{
    name: string;
    who: string;
    page: string;
    action: string;
    fields: Record<string, string | string[]>;
    formPage?: string;
  }> => [
    {
      name: 'Manage Permissions',
      who: 'alice',
      page: `/account/users/${ids.dev}/permissions`,
      action: `/account/users/${ids.dev}/permissions`,
      fields: { access: 'choose', permissions: ['tickets'] },
    },
    {
      name: 'Remove Access',
      who: 'alice',
      page: `/account/users/${ids.dev}/remove`,
      action: `/account/users/${ids.dev}/remove`,
      fields: {},
    },
    {
      name: 'the invite form',
      who: 'alice',
      page: '/account/users',
      action: '/account/users/invite',
      fields: { email: 'new@forms.test', access: 'all' },
      formPage: '/account/users',
    },
    {
      name: 'Resend',
      who: 'alice',
      page: '/account/users',
      action: `/account/invites/${ids.acmeInvite}/resend`,
      fields: {},
      formPage: '/account/users',
    },
    {
      name: 'Cancel invitation',
      who: 'alice',
      page: `/account/invites/${ids.acmeInvite}/cancel`,
      action: `/account/invites/${ids.acmeInvite}/cancel`,
      fields: {},
    },
    { name: 'Leave', who: 'dev', page: '/account/leave', action: '/account/leave', fields: {} },
    {
      name: 'the portal profile',
      who: 'alice',
      page: '/profile',
      action: '/profile',
      fields: { name: 'Changed Name', email: 'changed@forms.test' },
    },
    {
      name: 'the portal contacts',
      who: 'alice',
      page: '/contacts',
      action: '/contacts',
      fields: { firstName: 'Eve', lastName: 'Extra', email: 'eve@forms.test' },
    },
    {
      name: 'the portal tickets',
      who: 'alice',
      page: '/tickets',
      action: '/tickets',
      fields: { subject: 'Help', message: 'Please' },
    },
    {
      name: 'a service cancellation',
      who: 'alice',
      page: '/services',
      action: `/services/${ids.service}/cancel`,
      fields: {},
      formPage: '/services',
    },
    {
      name: 'domain auto-renew',
      who: 'alice',
      page: '/domains',
      action: `/domains/${ids.domain}/auto-renew`,
      fields: {},
      formPage: '/domains',
    },
  ];

  for (const index of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    it(`form ${index + 1}: saved after another tab switched account: 409, nothing changed, a way back`, async () => {
      const form = forms()[index];
      const client = await loginTo(tp, form.who === 'alice' ? 'alice@forms.test' : 'dev@forms.test', ids.acme);
      const page = await client.get(form.page);
      assert.equal(page.status, 200, `${form.name}: ${form.page}`);
      const hidden = hiddenFields(page.text, form.action);
      assert.equal(hidden.accountId, String(ids.acme), `${form.name} carries the account it was shown for`);

      // The other tab: the same session now works in Alpha Two.
      assert.equal((await client.post('/account/switch', { accountId: String(ids.alpha) })).status, 303);
      const before = await snapshot(tp.knex);
      const res = await client.post(form.action, { ...hidden, ...form.fields });
      assert.equal(res.status, 409, `${form.name}: ${res.status}`);
      assert.match(res.text, /This form belongs to another account/);
      assert.match(res.text, /This form was opened in Acme Web Studio\./);
      assert.match(res.text, /You are now working in Alpha Two Hosting, so nothing was changed\./);
      assert.deepEqual(await snapshot(tp.knex), before, `${form.name} changed nothing`);
      assert.equal(await client.sessionAccountId(), String(ids.alpha), 'the session stays where the person put it');

      // The offered button opens the form's account and returns to the form's page.
      const back = hiddenFields(res.text, '/account/switch');
      assert.equal(back.accountId, String(ids.acme));
      assert.equal(back.returnTo, form.formPage ?? form.page);
      assert.match(res.text, /Open the form in Acme Web Studio/);
      const switched = await client.post('/account/switch', back);
      assert.equal(switched.status, 303);
      assert.equal(switched.headers.location, form.formPage ?? form.page);
      const again = await client.get(switched.headers.location);
      assert.equal(again.status, 200);
      assert.equal(hiddenFields(again.text, form.action).accountId, String(ids.acme));
    });
  }

  it('the change then lands in the account the form was shown for', async () => {
    const alice = await loginTo(tp, 'alice@forms.test', ids.acme);
    const hidden = hiddenFields(
      (await alice.get(`/account/users/${ids.dev}/permissions`)).text,
      `/account/users/${ids.dev}/permissions`,
    );
    await alice.post('/account/switch', { accountId: String(ids.alpha) });
    assert.equal(
      (
        await alice.post(`/account/users/${ids.dev}/permissions`, {
          ...hidden,
          access: 'choose',
          permissions: ['tickets'],
        })
      ).status,
      409,
    );
    await alice.post('/account/switch', { accountId: String(ids.acme) });
    assert.equal(
      (
        await alice.post(`/account/users/${ids.dev}/permissions`, {
          ...hidden,
          access: 'choose',
          permissions: ['tickets'],
        })
      ).status,
      303,
    );
    const rows = await allRows(tp, TABLES.members, (q) => q.where('user_id', ids.dev).orderBy('account_id'));
    assert.deepEqual(
      rows.map((r) => [Number(r.account_id), Boolean(Number(r.all_permissions))]),
      [
        [ids.acme, false],
        [ids.alpha, true],
      ],
    );
  });

  it('a form without its account or naming one the person cannot open changes nothing, names no stranger', async () => {
    const alice = await loginTo(tp, 'alice@forms.test', ids.acme);
    const before = await snapshot(tp.knex);
    const bare = await alice.agent
      .post(`/account/users/${ids.dev}/permissions`)
      .type('form')
      .send(
        encodeForm({
          _csrf: await alice.tokenFor(`/account/users/${ids.dev}/permissions`),
          access: 'choose',
          permissions: 'tickets',
        }),
      );
    assert.equal(bare.status, 409);
    assert.match(bare.text, /This form was not opened in an account you can work in now\./);
    for (const accountId of [String(ids.blueFish), '999999', 'abc', '']) {
      const res = await alice.post(`/account/users/${ids.dev}/permissions`, {
        accountId,
        access: 'choose',
        permissions: ['tickets'],
      });
      assert.equal(res.status, 409, accountId);
      assert.doesNotMatch(res.text, /Blue Fish/);
      assert.doesNotMatch(res.text, new RegExp(`name="accountId" value="${ids.blueFish}"`));
    }
    const ticket = await alice.post('/tickets', { accountId: String(ids.blueFish), subject: 'x', message: 'y' });
    assert.equal(ticket.status, 409);
    assert.deepEqual(diff(before, await snapshot(tp.knex)), []);
  });

  it('with no account chosen, a POST does not pick the only open account', async () => {
    const carol = await tp.login('carol@forms.test');
    assert.equal(await carol.sessionAccountId(), undefined, 'two accounts: the chooser, none picked');
    await tp.knex('accounts').where('id', ids.alpha).update({ status: 'closed' });
    await carol.refreshCsrf('/account/switch');
    const before = await snapshot(tp.knex);
    const res = await carol.post('/tickets', {
      accountId: String(ids.acme),
      subject: 'Lost',
      message: 'Where does this go?',
    });
    assert.equal(res.status, 409);
    assert.match(res.text, /This form was opened in Acme Web Studio\./);
    assert.match(res.text, /You are not working in any account now, so nothing was changed\./);
    assert.deepEqual(diff(before, await snapshot(tp.knex)), []);
    assert.equal(await carol.sessionAccountId(), undefined, 'the POST selected no account');
    // Reading a page still opens the only open account, as at login — but it is not a sign-in into
    // it, so the membership's last login stays as it was.
    const lastLogin = async () =>
      (
        await foundRow(tp, TABLES.members, (q) =>
          q
            .where({ account_id: ids.acme })
            .whereIn('user_id', tp.knex('users').select('id').where('email', 'carol@forms.test')),
        )
      ).last_login_at;
    const loginBefore = await lastLogin();
    assert.equal((await carol.get('/tickets')).status, 200);
    assert.equal(await carol.sessionAccountId(), String(ids.acme));
    assert.equal(await lastLogin(), loginBefore, 'opening the only account on a page view records no sign-in');
  });

  it('when the current account was closed, its form changes nothing and no other account is picked', async () => {
    const carol = await loginTo(tp, 'carol@forms.test', ids.alpha);
    const hidden = hiddenFields((await carol.get('/tickets')).text, '/tickets');
    await tp.knex('accounts').where('id', ids.alpha).update({ status: 'closed' });
    const before = await snapshot(tp.knex);
    const res = await carol.post('/tickets', { ...hidden, subject: 'Late', message: 'After closing' });
    assert.equal(res.status, 409);
    assert.match(res.text, /This form was not opened in an account you can work in now\./);
    assert.match(res.text, /You are not working in any account now/);
    assert.deepEqual(diff(before, await snapshot(tp.knex)), []);
    assert.equal(await carol.sessionAccountId(), undefined);
  });

  it('the page is translated', async () => {
    const alice = await loginTo(tp, 'alice@forms.test', ids.acme);
    await tp.knex('users').where('id', ids.alice).update({ locale: 'de' });
    const res = await alice.post('/profile', { accountId: String(ids.alpha), name: 'x', email: 'x@forms.test' });
    assert.equal(res.status, 409);
    assert.match(res.text, /Dieses Formular wurde im Konto Alpha Two Hosting geöffnet\./);
    assert.match(res.text, /Sie arbeiten jetzt im Konto Acme Web Studio/);
    assert.match(res.text, /<h1>Dieses Formular gehört zu einem anderen Konto<\/h1>/);
  });

  it('every form that changes an account carries the account it was shown in', async () => {
    const alice = await loginTo(tp, 'alice@forms.test', ids.acme);
    const dev = await loginTo(tp, 'dev@forms.test', ids.acme);
    const personal = ['/account/switch', '/logout', '/language', '/settings/language', '/settings/password'];
    const pages: Array<[Client, string]> = [
      [alice, '/account/users'],
      [alice, `/account/users/${ids.dev}/permissions`],
      [alice, `/account/users/${ids.dev}/remove`],
      [alice, `/account/invites/${ids.acmeInvite}/cancel`],
      [dev, '/account/leave'],
      [alice, '/profile'],
      [alice, '/contacts'],
      [alice, '/tickets'],
      [alice, '/services'],
      [alice, '/domains'],
      [alice, '/settings'],
    ];
    let checked = 0;
    for (const [client, path] of pages) {
      const html = (await client.get(path)).text;
      for (const form of html.match(/<form method="post"[\s\S]*?<\/form>/g) ?? []) {
        const action = /action="([^"]+)"/.exec(form)![1];
        if (personal.includes(action)) continue;
        assert.match(
          form,
          new RegExp(`<input type="hidden" name="accountId" value="${ids.acme}">`),
          `${path}: ${action}`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 11, `${checked} forms checked`);
  });
});
