import assert from 'node:assert/strict';
import { encodeForm, setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { buildWorld, inviteByHttp, login, loginTo, PASSWORD, tokenOf, type World } from './fixture';
import { unchangedBy } from './snapshot';
import { TABLES } from '../../module/tables';
import { foundRow } from '../helpers/db';

/** Query and body values that are objects or arrays: refused or ignored, never interpreted. */
describe('security: object and array values in queries and forms', () => {
  let w: World;
  let owner: Client;
  before(async () => {
    w = await buildWorld();
    owner = await loginTo(w.tp, w.alice.email, w.acme.id);
  });
  after(() => w.tp.close());

  // Forms carry the account they were shown in, as the pages render them.
  const raw = async (c: Client, path: string, body: string) => {
    const token = encodeURIComponent(await c.tokenFor(path));
    const account = path === '/account/switch' ? '' : `accountId=${(await c.sessionAccountId()) ?? ''}&`;
    return c.agent.post(path).type('form').send(`_csrf=${token}&${account}${body}`);
  };

  it('pages read `?page[x]=1`, `?q[$ne]=` and repeated values as plain text or ignore them', async () => {
    await unchangedBy(w.tp.knex, async () => {
      for (const path of [
        '/account/users?page[x]=1&q[$ne]=x',
        '/account/users?page=1&page=2&q=a&q=b',
        '/account/activity?page[$gt]=0',
        '/account/switch?page[x]=1&q[]=a&returnTo[x]=//evil.test',
        '/invoices?sort[$where]=1',
      ]) {
        const res = await owner.get(path);
        assert.equal(res.status, 200, path);
        assert.doesNotMatch(res.text, /(href|action)="[^"]*evil\.test/, 'no link or form leads off the portal');
      }
    });
  });

  it('login with `email[$ne]=` and `password[$ne]=` signs nobody in', async () => {
    const anon = w.tp.anonymous();
    await anon.refreshCsrf('/login');
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await raw(anon, '/login', 'email[$ne]=&password[$ne]=')).status, 401);
      assert.equal(
        (
          await raw(
            anon,
            '/login',
            `email=${encodeURIComponent(w.alice.email)}&email=${encodeURIComponent(w.bob.email)}&password=${PASSWORD}`,
          )
        ).status,
        401,
      );
      assert.equal(
        (await raw(anon, '/login', `email=${encodeURIComponent(w.alice.email)}&password=${PASSWORD}&password=x`))
          .status,
        401,
      );
      assert.equal((await anon.get('/')).status, 302);
    });
  });

  it('a JSON body with operators is not read at all', async () => {
    const anon = w.tp.anonymous();
    await anon.refreshCsrf('/login');
    await unchangedBy(w.tp.knex, async () => {
      const res = await anon.agent
        .post('/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ _csrf: anon.csrf, email: { $ne: '' }, password: { $ne: '' } }));
      assert.ok(res.status >= 400 && res.status < 500, String(res.status));
    });
  });

  it('an invitation with array or object fields is refused with the form', async () => {
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await raw(owner, '/account/users/invite', 'email[$ne]=x&access=all')).status, 422);
      assert.equal(
        (await raw(owner, '/account/users/invite', 'email=a@victim.test&email=b@victim.test&access=all')).status,
        422,
      );
      assert.equal((await raw(owner, '/account/users/invite', 'email=a@victim.test&access[x]=all')).status, 422);
      assert.equal(
        (await raw(owner, '/account/users/invite', 'email=a@victim.test&access=all&access=choose')).status,
        422,
      );
    });
  });

  it('permissions with array or object access values are refused', async () => {
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await raw(owner, `/account/users/${w.dev.id}/permissions`, 'access[]=all')).status, 422);
      assert.equal(
        (await raw(owner, `/account/users/${w.dev.id}/permissions`, 'access=choose&permissions[$in]=invoices')).status,
        422,
      );
    });
  });

  it('switching with `accountId[]=` or two ids goes nowhere', async () => {
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await raw(owner, '/account/switch', `accountId[]=${w.acme.id}`)).status, 403);
      assert.equal(
        (await raw(owner, '/account/switch', `accountId=${w.malloryLtd.id}&accountId=${w.acme.id}`)).status,
        403,
      );
      assert.equal((await raw(owner, '/account/switch', `accountId=${w.acme.id}.0`)).status, 403);
      assert.equal((await raw(owner, '/account/switch', 'accountId=-1')).status, 403);
    });
  });

  it('registration with array fields is refused with the form', async () => {
    const { token } = await inviteByHttp(w.tp, owner, 'arrays@victim.test');
    const anon = w.tp.anonymous();
    await anon.refreshCsrf(`/account/invite/${token}`);
    await unchangedBy(w.tp.knex, async () => {
      const res = await raw(
        anon,
        `/account/invite/${token}/register`,
        'firstName[]=a&lastName[$gt]=&password[]=a-long-password&passwordConfirm[]=a-long-password',
      );
      assert.equal(res.status, 422);
    });
  });

  it('ids that are not plain positive integers answer 404', async () => {
    await unchangedBy(w.tp.knex, async () => {
      for (const id of ['0', '-1', '1e3', '0x10', `${w.dev.id}.0`, '99999999999', '%20' + w.dev.id, 'NaN', '[]']) {
        assert.equal((await owner.get(`/account/users/${id}/permissions`)).status, 404, id);
        assert.equal((await owner.post(`/account/users/${id}/remove`)).status, 404, id);
        assert.equal((await owner.post(`/account/invites/${id}/cancel`)).status, 404, id);
      }
    });
  });
});

const NAME_SCRIPT = '<script>alert(1)</script>';
const ACCOUNT_IMG = '<img src=x onerror=alert(2)>';
const QUOTE_EMAIL = "o'hara@victim.test";

/** HTML and script in names, e-mail addresses and account names: escaped on every page and in e-mails. */
describe('security: markup in names is shown as text everywhere', () => {
  let tp: TestPortal;
  let owner: Client;
  let member: Client;
  let token: string;
  let accountId: number;
  let memberId: number;
  let inviteId: number;
  before(async () => {
    tp = await setupPortal();
    const alice = await tp.f.user({
      email: 'alice@victim.test',
      firstName: NAME_SCRIPT,
      lastName: '"><svg onload=alert(3)>',
    });
    const dev = await tp.f.user({ email: 'dev@victim.test', firstName: ACCOUNT_IMG, lastName: NAME_SCRIPT });
    memberId = dev.id;
    const acme = await tp.f.account({ name: ACCOUNT_IMG, ownerId: alice.id });
    accountId = acme.id;
    const other = await tp.f.account({ name: `${NAME_SCRIPT} Two`, ownerId: (await tp.f.user()).id });
    await tp.f.member(acme.id, dev.id, 'all');
    await tp.f.member(other.id, dev.id, ['tickets']);
    owner = await login(tp, alice.email);
    // An address with quotes is valid but must stay inside its attribute.
    const res = await owner.post('/account/users/invite', { email: QUOTE_EMAIL, access: 'all' });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    token = tokenOf((await foundRow(tp, 'outbox', (q) => q.orderBy('id', 'desc'))).text);
    inviteId = Number((await foundRow(tp, TABLES.invites, (q) => q.orderBy('id', 'desc'))).id);
    await owner.post(`/account/users/${dev.id}/permissions`, { access: 'choose', permissions: ['tickets'] });
    member = await loginTo(tp, dev.email, acme.id);
  });
  after(() => tp.close());

  function assertEscaped(html: string, where: string): void {
    for (const payload of [NAME_SCRIPT, ACCOUNT_IMG, '<svg onload=alert(3)>', QUOTE_EMAIL]) {
      assert.ok(!html.includes(payload), `${where} contains raw ${payload}`);
    }
    assert.doesNotMatch(html, /<script>alert|onerror=alert\(2\)>|<svg onload/i, where);
  }

  it('on every client page the owner and a member see', async () => {
    const paths = [
      '/',
      '/account/users',
      '/account/activity',
      `/account/users/${memberId}/permissions`,
      `/account/users/${memberId}/remove`,
      `/account/invites/${inviteId}/cancel`,
      '/account/switch',
      '/settings',
      '/tickets',
    ];
    let escapedSeen = 0;
    for (const path of paths) {
      const res = await owner.get(path);
      assert.equal(res.status, 200, path);
      assertEscaped(res.text, path);
      if (res.text.includes('&lt;script&gt;') || res.text.includes('&lt;img')) escapedSeen += 1;
    }
    assert.ok(escapedSeen >= 5, 'the names are shown, escaped');
    for (const path of ['/', '/account/switch', '/account/leave', '/tickets']) {
      const res = await member.get(path);
      assertEscaped(res.text, `member ${path}`);
    }
    // The denied page names the owner.
    const denied = await member.get('/invoices');
    assert.equal(denied.status, 403);
    assertEscaped(denied.text, 'denied page');
  });

  it('on the invitation page, signed out and signed in', async () => {
    const anon = await tp.anonymous().get(`/account/invite/${token}`);
    assert.equal(anon.status, 200);
    assertEscaped(anon.text, 'invitation page');
    assert.match(anon.text, /&lt;img src=x onerror=alert\(2\)&gt;/);
    assertEscaped((await member.get(`/account/invite/${token}`)).text, 'invitation page signed in');
  });

  it('in the invitation e-mail, the admin Outbox and every staff page of the module', async () => {
    const mail = (await tp.knex('outbox').orderBy('id', 'desc').first()) as {
      id: number;
      html: string;
      text: string;
      subject: string;
    };
    assertEscaped(mail.html, 'invitation e-mail');
    assert.match(mail.html, /&lt;img src=x onerror=alert\(2\)&gt;/);
    const admin = await tp.staffLogin();
    const mod = '/admin/modules/account_users';
    const staffPages = [
      mod,
      `${mod}/users?q=dev%40victim`,
      `${mod}/users/${memberId}`,
      `${mod}/users/${memberId}/log`,
      `${mod}/accounts?q=%3Cimg`,
      `${mod}/accounts/${accountId}`,
      `${mod}/accounts/${accountId}/log`,
      `${mod}/accounts/${accountId}/users/${memberId}/owner`,
      `${mod}/accounts/${accountId}/users/${memberId}/remove`,
      `${mod}/accounts/${accountId}/invites/${inviteId}/cancel`,
    ];
    let shown = 0;
    for (const path of ['/admin/outbox', `/admin/outbox/${mail.id}`, ...staffPages]) {
      const res = await admin.get(path);
      assert.ok(res.status < 400, path);
      assertEscaped(res.text, path);
      if (/&lt;(script|img)/.test(res.text)) shown += 1;
    }
    assert.ok(shown >= 6, `the names are on the staff pages, escaped (${shown})`);
  });

  it('in the e-mail telling the owner an invitation was accepted', async () => {
    const anon = tp.anonymous();
    await anon.refreshCsrf(`/account/invite/${token}`);
    const res = await anon.post(`/account/invite/${token}/register`, {
      firstName: NAME_SCRIPT,
      lastName: '<b onmouseover=alert(4)>x</b>',
      password: 'a-long-password',
      passwordConfirm: 'a-long-password',
    });
    assert.equal(res.status, 303);
    const mail = (await tp.knex('outbox').where('to_address', 'alice@victim.test').orderBy('id', 'desc').first()) as
      { html: string } | undefined;
    assert.ok(mail, 'the owner was told');
    assertEscaped(mail.html, 'accepted e-mail');
    assert.doesNotMatch(mail.html, /<b onmouseover/);
    assert.match(mail.html, /&lt;script&gt;/);
    for (const path of ['/account/users', '/account/activity'])
      assertEscaped((await owner.get(path)).text, `${path} after the registration`);
  });

  it('the content security policy forbids inline scripts', async () => {
    const res = await owner.get('/account/users');
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    assert.match(scriptSrc, /'self'/);
    assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['x-frame-options']), /SAMEORIGIN|DENY/);
  });

  it('a visitor cannot inject markup through the query string of the login and chooser pages', async () => {
    const anon = tp.anonymous();
    const res = await anon.get(`/login?returnTo=${encodeURIComponent('/"><script>alert(1)</script>')}`);
    assert.equal(res.status, 200);
    assertEscaped(res.text, 'login page');
    const chooser = await member.get(`/account/switch?q=${encodeURIComponent(NAME_SCRIPT)}`);
    assertEscaped(chooser.text, 'chooser search');
    assert.ok(accountId);
  });
});

/** Links in e-mails come from the configured base URL, never from Host or X-Forwarded-Host. */
describe('security: forged Host headers on invitation links', () => {
  for (const trustProxy of [false, true]) {
    it(`the link points at the portal with trust proxy ${trustProxy ? 'on' : 'off'}`, async () => {
      const w = await buildWorld({ trustProxy });
      try {
        const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
        const res = await owner.agent
          .post('/account/users/invite')
          .set('Host', 'evil.test')
          .set('X-Forwarded-Host', 'evil.test')
          .set('X-Forwarded-Proto', 'http')
          .set('Forwarded', 'host=evil.test;proto=http')
          .type('form')
          .send(
            encodeForm({
              _csrf: await owner.tokenFor('/account/users/invite'),
              accountId: String(w.acme.id),
              email: 'hosted@victim.test',
              access: 'all',
            }),
          );
        assert.equal(res.status, 303);
        const mail = await foundRow(w.tp, 'outbox', { to_address: 'hosted@victim.test' });
        assert.doesNotMatch(mail.text + mail.html, /evil\.test/);
        assert.match(mail.text, /https:\/\/portal\.example\.test\/account\/invite\/[A-Za-z0-9_-]{43}/);
        // The resend link is built the same way.
        const id = (await foundRow(w.tp, TABLES.invites, { email: 'hosted@victim.test' })).id;
        w.tp.clock.advance(61_000);
        await owner.agent
          .post(`/account/invites/${id}/resend`)
          .set('X-Forwarded-Host', 'evil.test')
          .type('form')
          .send(encodeForm({ _csrf: await owner.tokenFor('/account/users'), accountId: String(w.acme.id) }));
        const last = await foundRow(w.tp, 'outbox', (q) =>
          q.where('to_address', 'hosted@victim.test').orderBy('id', 'desc'),
        );
        assert.doesNotMatch(last.text, /evil\.test/);
      } finally {
        await w.tp.close();
      }
    });
  }
});
