import assert from 'node:assert/strict';
import { CookieAccessInfo } from 'cookiejar';
import { count, firstRow } from '../helpers/db';
import { Client, type TestPortal } from '../helpers/portal';
import { buildWorld, freshLimits, inviteByHttp, login, loginTo, PASSWORD, type World } from './fixture';
import { unchangedBy } from './snapshot';
import { TABLES } from '../../module/tables';
import type { SessionRow } from '../helpers/rows';

function sidOf(client: Client): string | undefined {
  const jar = (
    client.agent as unknown as {
      jar: { getCookie(name: string, info: CookieAccessInfo): { value: string } | undefined };
    }
  ).jar;
  const cookie = jar.getCookie('portal.sid', CookieAccessInfo.All);
  return cookie ? /^s:([^.]+)\./.exec(decodeURIComponent(cookie.value))?.[1] : undefined;
}

function cookieHeader(client: Client): string {
  const jar = (
    client.agent as unknown as {
      jar: { getCookie(name: string, info: CookieAccessInfo): { value: string } | undefined };
    }
  ).jar;
  return `portal.sid=${jar.getCookie('portal.sid', CookieAccessInfo.All)?.value ?? ''}`;
}

async function stored(tp: TestPortal, sid: string | undefined): Promise<SessionRow | undefined> {
  return sid ? firstRow(tp, 'sessions', { sid }) : undefined;
}

const REDIRECTS = [
  '//evil.test',
  'https://evil.test/x',
  '/\\evil.test',
  '\\\\evil.test',
  '/%2F%2Fevil.test',
  '/%5Cevil.test',
  '/%252F%252Fevil.test',
  'javascript:alert(1)',
  '\t//evil.test',
  '///evil.test',
  'http:evil.test',
  '/./%2F/evil.test',
  '/%0D%0ALocation:%20https://evil.test',
];

function assertLocal(location: string | undefined, what: string): void {
  assert.ok(location, `${what}: a redirect`);
  assert.ok(
    location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'),
    `${what} went to ${location}`,
  );
  assert.doesNotMatch(
    decodeURIComponent(decodeURIComponent(location)),
    /^\/\/|^\/\\|evil\.test\/?$|^[a-z]+:/i,
    `${what} went to ${location}`,
  );
}

/** Sessions: fixation, logout, idle and absolute timeouts, cookie settings, redirects, rate limits. */
describe('security: sessions, redirects and rate limits', () => {
  let w: World;
  before(async () => {
    w = await buildWorld({ sessionIdleMinutes: 30, sessionAbsoluteMinutes: 120 });
    await w.tp.f.admin({ email: 'root@portal.test' });
  });
  after(() => w.tp.close());

  it('a session id planted before login is not the one signed in (no fixation)', async () => {
    const attacker = w.tp.anonymous();
    await attacker.refreshCsrf('/login');
    const planted = sidOf(attacker);
    assert.ok(planted);
    // The victim's browser carries the attacker's cookie and signs in with it.
    const victim = w.tp.anonymous();
    const page = await victim.agent.get('/login').set('Cookie', cookieHeader(attacker));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await freshLimits(w.tp);
    const res = await victim.agent
      .post('/login')
      .set('Cookie', cookieHeader(attacker))
      .type('form')
      .send({ _csrf: csrf, email: w.alice.email, password: PASSWORD });
    assert.equal(res.status, 303);
    const issued = /portal\.sid=s%3A([^.]+)\./.exec(String(res.headers['set-cookie']))?.[1];
    assert.ok(issued && issued !== planted, 'a new session id on login');
    assert.equal(await stored(w.tp, planted), undefined, 'the planted session is gone from the store');
    await unchangedBy(w.tp.knex, async () => {
      const home = await attacker.get('/');
      assert.equal(home.status, 302, 'the planted cookie is not signed in');
    });
  });

  it('admin login and registering from an invitation also issue a new session id', async () => {
    const admin = w.tp.anonymous();
    await admin.refreshCsrf('/admin/login');
    const before = sidOf(admin);
    await freshLimits(w.tp);
    assert.equal((await admin.post('/admin/login', { email: 'root@portal.test', password: PASSWORD })).status, 303);
    assert.notEqual(sidOf(admin), before);
    assert.equal(await stored(w.tp, before), undefined);

    const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
    const { token } = await inviteByHttp(w.tp, owner, 'fixation@victim.test');
    const anon = w.tp.anonymous();
    await anon.refreshCsrf(`/account/invite/${token}`);
    const planted = sidOf(anon);
    const res = await anon.post(`/account/invite/${token}/register`, {
      firstName: 'Fix',
      lastName: 'Ation',
      password: 'a-long-password',
      passwordConfirm: 'a-long-password',
    });
    assert.equal(res.status, 303);
    assert.notEqual(sidOf(anon), planted);
  });

  it('logging out ends the session in the store: the old cookie replayed is signed out', async () => {
    const client = await loginTo(w.tp, w.alice.email, w.acme.id);
    const cookie = cookieHeader(client);
    const sid = sidOf(client);
    assert.equal((await client.post('/logout')).status, 303);
    assert.equal(await stored(w.tp, sid), undefined);
    await unchangedBy(w.tp.knex, async () => {
      const replay = await w.tp.anonymous().agent.get('/account/users').set('Cookie', cookie);
      assert.equal(replay.status, 302);
      assert.match(String(replay.headers.location), /^\/login/);
    });
  });

  it("an idle session ends when the store's expiry passes (SESSION_IDLE_MINUTES)", async () => {
    const client = await loginTo(w.tp, w.alice.email, w.acme.id);
    const res = await client.get('/');
    const cookie = String(res.headers['set-cookie']);
    const expires = /Expires=([^;]+)/.exec(cookie);
    assert.ok(expires, 'the rolling cookie carries its idle expiry');
    const maxAge = (Date.parse(expires[1]) - Date.now()) / 1000;
    assert.ok(maxAge > 29 * 60 && maxAge <= 30 * 60 + 1, `the cookie lives 30 idle minutes (${maxAge}s)`);
    await w.tp
      .knex('sessions')
      .where('sid', sidOf(client))
      .update({ expired: new Date(Date.now() - 1000) });
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await client.get('/account/users')).status, 302);
    });
  });

  it('a session ends after SESSION_ABSOLUTE_MINUTES however active it is', async () => {
    const client = await loginTo(w.tp, w.alice.email, w.acme.id);
    const sid = sidOf(client);
    const row = await stored(w.tp, sid);
    assert.ok(row, 'the session is stored');
    const sess = JSON.parse(row.sess) as { startedAt?: number };
    sess.startedAt = Date.now() - 121 * 60_000;
    await w.tp
      .knex('sessions')
      .where('sid', sid)
      .update({ sess: JSON.stringify(sess) });
    const res = await client.get('/account/users');
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/login');
    assert.equal(await stored(w.tp, sid), undefined);
    assert.equal((await client.get('/')).status, 302);
  });

  it('the session cookie is HttpOnly, SameSite=Lax, Path=/, not Secure on plain HTTP without trust proxy', async () => {
    const anon = w.tp.anonymous();
    const res = await anon.agent.get('/login');
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /portal\.sid=/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/i);
  });

  for (const payload of REDIRECTS) {
    it(`login, switching, language picker and admin login do not redirect to ${JSON.stringify(payload)}`, async () => {
      await freshLimits(w.tp);
      const anon = w.tp.anonymous();
      await anon.refreshCsrf('/login');
      const res = await anon.post('/login', { email: w.alice.email, password: PASSWORD, returnTo: payload });
      assert.equal(res.status, 303);
      assertLocal(res.headers.location, 'login');
      await anon.refreshCsrf('/');
      assertLocal(
        (await anon.get(`/login?returnTo=${encodeURIComponent(payload)}`)).headers.location,
        'login page when signed in',
      );
      const lang = await anon.post('/language', { locale: 'en', from: payload });
      assertLocal(lang.headers.location, 'language picker');
      const multi = await login(w.tp, w.dev.email);
      await multi.refreshCsrf('/account/switch');
      const sw = await multi.post('/account/switch', { accountId: String(w.acme.id), returnTo: payload });
      assert.equal(sw.status, 303);
      assertLocal(sw.headers.location, 'switch');
      const chooser = await multi.get(`/account/switch?returnTo=${encodeURIComponent(payload)}`);
      assert.doesNotMatch(
        chooser.text,
        /name="returnTo" value="[^"]*evil/,
        'the chooser does not carry the address on',
      );
      const admin = w.tp.anonymous();
      await admin.refreshCsrf('/admin/login');
      await freshLimits(w.tp);
      const adm = await admin.post('/admin/login', {
        email: 'root@portal.test',
        password: PASSWORD,
        returnTo: payload,
      });
      assert.equal(adm.status, 303);
      assertLocal(adm.headers.location, 'admin login');
    });
  }

  it('keeps a good local return address (the allow-list is not a block-all)', async () => {
    await freshLimits(w.tp);
    const anon = w.tp.anonymous();
    await anon.refreshCsrf('/login');
    const res = await anon.post('/login', { email: w.alice.email, password: PASSWORD, returnTo: '/invoices?page=2' });
    assert.equal(res.headers.location, '/invoices?page=2');
  });

  it('the 21st login attempt in 15 minutes is refused, even with the right password', async () => {
    await freshLimits(w.tp);
    const anon = w.tp.anonymous();
    await anon.refreshCsrf('/login');
    // Different addresses each time, so only the per-client-address limit counts here.
    for (let i = 0; i < 20; i += 1) {
      assert.equal(
        (await anon.post('/login', { email: `nobody${i}@victim.test`, password: 'wrong-password' })).status,
        401,
      );
    }
    await unchangedBy(w.tp.knex, async () => {
      const res = await anon.post('/login', { email: w.alice.email, password: PASSWORD });
      assert.equal(res.status, 429);
      assert.match(res.text, /Too many attempts/);
      assert.equal((await anon.get('/account/users')).status, 302, 'not signed in');
    });
    await freshLimits(w.tp);
  });

  it('the 11th admin login attempt in 15 minutes is refused', async () => {
    await freshLimits(w.tp);
    const anon = w.tp.anonymous();
    await anon.refreshCsrf('/admin/login');
    for (let i = 0; i < 10; i += 1) {
      assert.equal(
        (await anon.post('/admin/login', { email: `nobody${i}@portal.test`, password: 'wrong-password' })).status,
        401,
      );
    }
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await anon.post('/admin/login', { email: 'root@portal.test', password: PASSWORD })).status, 429);
      assert.equal((await anon.get('/admin/modules')).status, 302);
    });
    await freshLimits(w.tp);
  });

  it('invitations past the hourly limit are refused and leave nothing behind', async () => {
    await w.tp.setSettings({ invitesPerHour: 3 });
    try {
      const owner = await loginTo(w.tp, w.bob.email, w.blueFish.id);
      const sent = await count(w.tp, TABLES.invites, { account_id: w.blueFish.id });
      for (let i = sent; i < 3; i += 1) await inviteByHttp(w.tp, owner, `limit${i}@victim.test`);
      await unchangedBy(w.tp.knex, async () => {
        const res = await owner.post('/account/users/invite', { email: 'one-too-many@victim.test', access: 'all' });
        assert.equal(res.status, 429);
      });
    } finally {
      await w.tp.setSettings({ invitesPerHour: 20 });
    }
  });
});

describe('security: cookies behind a TLS proxy', () => {
  it('with TRUST_PROXY the cookie is Secure on HTTPS and HSTS is sent', async () => {
    const w = await buildWorld({ trustProxy: true });
    try {
      const res = await w.tp.anonymous().agent.get('/login').set('X-Forwarded-Proto', 'https');
      assert.match(String(res.headers['set-cookie']), /;\s*Secure/i);
      const hsts = await w.tp.anonymous().agent.get('/login').set('X-Forwarded-Proto', 'https');
      assert.match(String(hsts.headers['strict-transport-security']), /max-age=\d+/);
    } finally {
      await w.tp.close();
    }
  });
});
