import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { Client } from '../helpers/portal';
import { buildWorld, freshLimits, loginTo, type World } from '../security/fixture';
import { diff, snapshot } from '../security/snapshot';
import { FIELD_VALUES, STRUCTURES } from './values';

type As = 'owner' | 'member' | 'anon' | 'admin';

const MOD = '/admin/modules/account_users';

interface PostRoute {
  as: As;
  path(w: World): string;
  /** Fields filled with the generated value. */
  fuzz: string[];
  /** Fields always sent as given, so that no generated value can make the form valid. */
  fixed?: Record<string, string>;
}

/** Every POST route with its form fields; each keeps the request invalid or harmless whatever the value. */
const POSTS: PostRoute[] = [
  { as: 'anon', path: () => '/login', fuzz: ['email', 'password', 'returnTo'] },
  { as: 'anon', path: () => '/logout', fuzz: ['returnTo'] },
  { as: 'anon', path: () => '/language', fuzz: ['locale', 'from'] },
  { as: 'owner', path: () => '/language', fuzz: ['locale', 'from'] },
  { as: 'owner', path: () => '/settings/language', fuzz: ['locale'], fixed: { locale: 'xx-invalid' } },
  { as: 'owner', path: () => '/settings/password', fuzz: ['currentPassword', 'newPassword', 'newPasswordAgain'] },
  { as: 'owner', path: () => '/tickets', fuzz: ['subject'], fixed: { message: '' } },
  {
    as: 'owner',
    path: () => '/profile',
    fuzz: ['name', 'address', 'city', 'postcode', 'country', 'phone'],
    fixed: { email: 'not-an-address' },
  },
  { as: 'owner', path: () => '/contacts', fuzz: ['firstName', 'lastName'], fixed: { email: 'not-an-address' } },
  { as: 'owner', path: () => '/account/switch', fuzz: ['accountId', 'returnTo'] },
  { as: 'owner', path: () => '/account/users/invite', fuzz: ['email', 'access', 'permissions'] },
  { as: 'owner', path: (w) => `/account/users/${w.dev.id}/permissions`, fuzz: ['access', 'permissions'] },
  { as: 'owner', path: () => '/account/leave', fuzz: ['confirm'] },
  { as: 'member', path: (w) => `/account/invite/${w.acmeInviteToken}/accept`, fuzz: ['accept'] },
  {
    as: 'anon',
    path: (w) => `/account/invite/${w.acmeInviteToken}/register`,
    fuzz: ['firstName', 'lastName', 'password'],
    fixed: { passwordConfirm: 'does-not-match-anything' },
  },
  { as: 'anon', path: () => '/admin/login', fuzz: ['email', 'password', 'returnTo'] },
  { as: 'admin', path: () => '/admin/modules/lifecycle', fuzz: ['action'] },
  {
    as: 'admin',
    path: () => `${MOD}/settings`,
    fuzz: ['maxUsersPerAccount', 'invitesPerHour', 'requireInvitedAddress', 'allowLeave'],
    fixed: { inviteLifetimeDays: '0' },
  },
  { as: 'admin', path: (w) => `${MOD}/accounts/${w.acme.id}/users`, fuzz: ['email', 'access', 'permissions'] },
  { as: 'admin', path: (w) => `${MOD}/accounts/${w.acme.id}/invites`, fuzz: ['email', 'access', 'permissions'] },
];

/** Routes with an id or token in the path: the path segment is what gets the generated value. */
const PARAMS: Array<{ as: As; method: 'get' | 'post'; path: (v: string, w: World) => string }> = [
  { as: 'owner', method: 'get', path: (v) => `/account/users/${v}/permissions` },
  { as: 'owner', method: 'post', path: (v) => `/account/users/${v}/permissions` },
  { as: 'owner', method: 'get', path: (v) => `/account/users/${v}/remove` },
  { as: 'owner', method: 'post', path: (v) => `/account/users/${v}/remove` },
  { as: 'owner', method: 'post', path: (v) => `/account/invites/${v}/resend` },
  { as: 'owner', method: 'get', path: (v) => `/account/invites/${v}/cancel` },
  { as: 'owner', method: 'post', path: (v) => `/account/invites/${v}/cancel` },
  { as: 'owner', method: 'post', path: (v) => `/services/${v}/cancel` },
  { as: 'owner', method: 'post', path: (v) => `/domains/${v}/auto-renew` },
  { as: 'owner', method: 'get', path: (v) => `/invoices/${v}` },
  { as: 'admin', method: 'get', path: (v) => `/admin/outbox/${v}` },
  { as: 'anon', method: 'get', path: (v) => `/account/invite/${v}` },
  { as: 'member', method: 'post', path: (v) => `/account/invite/${v}/accept` },
  { as: 'anon', method: 'post', path: (v) => `/account/invite/${v}/register` },
  { as: 'admin', method: 'get', path: (v) => `${MOD}/users/${v}` },
  { as: 'admin', method: 'get', path: (v) => `${MOD}/accounts/${v}` },
  { as: 'admin', method: 'get', path: (v) => `${MOD}/accounts/${v}/log` },
  { as: 'admin', method: 'post', path: (v, w) => `${MOD}/accounts/${w.acme.id}/users/${v}/owner` },
  { as: 'admin', method: 'post', path: (v, w) => `${MOD}/accounts/${v}/users/${w.dev.id}/remove` },
  { as: 'admin', method: 'post', path: (v, w) => `${MOD}/accounts/${w.acme.id}/invites/${v}/resend` },
  { as: 'admin', method: 'post', path: (v, w) => `${MOD}/accounts/${w.acme.id}/invites/${v}/cancel` },
];

const GETS: Array<{ as: As; path: string }> = [
  ...[
    '/',
    '/services',
    '/domains',
    '/invoices',
    '/quotes',
    '/tickets',
    '/profile',
    '/contacts',
    '/settings',
    '/no-account',
    '/account/switch',
    '/account/users',
    '/account/activity',
    '/account/leave',
  ].map((path) => ({ as: 'owner' as const, path })),
  ...['/', '/account/switch', '/account/leave', '/invoices'].map((path) => ({ as: 'member' as const, path })),
  ...['/login', '/admin/login', '/account/users', '/'].map((path) => ({ as: 'anon' as const, path })),
  ...[
    '/admin',
    '/admin/modules',
    '/admin/outbox',
    MOD,
    `${MOD}/users`,
    `${MOD}/accounts`,
    `${MOD}/accounts/:acme`,
    `${MOD}/accounts/:acme/log`,
    `${MOD}/users/:dev`,
    `${MOD}/users/:dev/log`,
  ].map((path) => ({ as: 'admin' as const, path })),
];

/** A stack frame or an internal path in a page would tell an attacker how the portal is built. */
const LEAK = new RegExp(
  [
    /\n\s+at [^\n]+:\d+:\d+|node_modules\/|node:internal|\/work\//.source,
    /ER_[A-Z_]{4,}|SQLITE_[A-Z]+|knex:|TypeError|ReferenceError/.source,
  ].join('|'),
);

describe('fuzz: malformed input on every route', function () {
  this.timeout(300_000);
  let w: World;
  const clients = {} as Record<As, Client>;
  const stats = { requests: 0, fiveXx: 0, rowsChanged: 0, statuses: new Map<number, number>() };
  const failures: string[] = [];

  before(async () => {
    w = await buildWorld();
    await w.tp.f.admin({ email: 'root@portal.test' });
    clients.owner = await loginTo(w.tp, w.alice.email, w.acme.id);
    clients.member = await loginTo(w.tp, w.dev.email, w.acme.id);
    clients.anon = w.tp.anonymous();
    await clients.anon.refreshCsrf('/login');
    clients.admin = await w.tp.staffLogin('root@portal.test');
  });

  after(async () => {
    const byStatus = [...stats.statuses.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    console.log(
      `      fuzz: ${stats.requests} requests, ${stats.fiveXx} answered 5xx, ` +
        `${stats.rowsChanged} rows changed (${byStatus})`,
    );
    await w.tp.close();
  });

  function check(res: Response, what: string, expected?: number): void {
    stats.requests += 1;
    stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) stats.fiveXx += 1;
    if (res.status >= 500) failures.push(`${what}: ${res.status}`);
    else if (expected && res.status !== expected) failures.push(`${what}: ${res.status}, expected ${expected}`);
    else if (LEAK.test(res.text ?? '')) failures.push(`${what}: internals in the page: ${LEAK.exec(res.text)![0]}`);
  }

  /** Runs one group of requests and asserts the database did not change and nothing failed. */
  async function group(name: string, run: () => Promise<void>): Promise<void> {
    failures.length = 0;
    const before = await snapshot(w.tp.knex);
    await run();
    const changes = diff(before, await snapshot(w.tp.knex));
    stats.rowsChanged += changes.reduce((n, c) => n + Math.max(c.added.length, c.removed.length), 0);
    assert.deepEqual(failures, [], `${name}: ${failures.slice(0, 10).join('; ')}`);
    assert.deepEqual(changes, [], `${name} changed the database`);
    // The signed-in sessions survived the group (none of it logged anyone out).
    if (clients.owner)
      assert.equal((await clients.owner.get('/account/users')).status, 200, `${name}: the owner is still signed in`);
  }

  const send = async (client: Client, path: string, body: string) => {
    if (path.endsWith('/login')) await freshLimits(w.tp);
    // Forms carry the account they were shown in, so the generated values reach the handlers.
    const account = body.includes('accountId=') ? undefined : await client.sessionAccountId();
    return client.agent
      .post(path)
      .type('form')
      .send(account ? `accountId=${account}&${body}` : body);
  };

  for (const route of POSTS) {
    const label = route.path({
      dev: { id: ':userId' },
      acme: { id: ':accountId' },
      acmeInviteToken: ':token',
    } as unknown as World);
    it(`POST ${label} (${route.as}): generated field values and broken structures`, async () => {
      await group(`POST ${label}`, async () => {
        const client = clients[route.as];
        const path = route.path(w);
        const fixed = Object.entries(route.fixed ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
        const token = encodeURIComponent(await client.tokenFor(path));
        for (const [name, value] of FIELD_VALUES) {
          const body = [`_csrf=${token}`, ...route.fuzz.map((f) => `${f}=${value}`), ...fixed].join('&');
          check(await send(client, path, body), `${path} ${name}`);
        }
        for (const [name, make, expected] of STRUCTURES) {
          const body = [`_csrf=${token}`, make(route.fuzz), ...fixed].join('&');
          check(await send(client, path, body), `${path} ${name}`, expected);
        }
      });
    });
  }

  it('ids and tokens in the path: generated values answer 4xx', async () => {
    await group('path parameters', async () => {
      for (const route of PARAMS) {
        const client = clients[route.as];
        for (const [name, value] of FIELD_VALUES) {
          // An empty segment is another route (`/invoices/` is the list), not a malformed id.
          if (value === '') continue;
          // Path segments take the value encoded once more, except the raw escapes under test.
          const segment = value.length > 2000 ? value.slice(0, 2000) : value.replace(/\//g, '%2F');
          const path = route.path(segment, w);
          const res = route.method === 'get' ? await client.get(path) : await client.post(path, { access: 'all' });
          check(res, `${route.method.toUpperCase()} ${path.slice(0, 80)} (${name})`);
          if (res.status < 500)
            assert.ok(res.status >= 400 || res.status === 302, `${path.slice(0, 60)} (${name}) answered ${res.status}`);
        }
      }
    });
  });

  it('every page with generated query values for q, page, returnTo and unknown keys', async () => {
    await group('query strings', async () => {
      for (const route of GETS) {
        for (const [name, value] of FIELD_VALUES) {
          // Eight parameters of up to 1,500 characters stay under the 16 kB header limit and reach the page.
          const v = value.slice(0, 1500);
          const path = route.path.replace(':acme', String(w.acme.id)).replace(':dev', String(w.dev.id));
          const res = await clients[route.as].get(
            `${path}?q=${v}&page=${v}&returnTo=${v}&action=${v}&from=${v}&to=${v}&ipage=${v}` +
              '&page[x]=1&email[$ne]=&q[]=a&q[]=b',
          );
          check(res, `GET ${route.path} ${name}`);
        }
      }
    });
  });

  it('an address over the header limit is refused before the portal reads it', async () => {
    await group('long address', async () => {
      const res = await clients.owner.get(`/account/users?q=${'x'.repeat(70_000)}`).ok(() => true);
      check(res, 'GET with a 70 kB address');
      assert.ok(res.status === 414 || res.status === 431 || res.status === 400, String(res.status));
    });
  });

  it('strange headers: forged and broken cookies, content types, charsets and languages', async () => {
    await group('headers', async () => {
      const owner = clients.owner;
      const variants: Array<[string, Record<string, string>]> = [
        ['a garbage session cookie', { Cookie: 'portal.sid=garbage' }],
        ['a forged signed cookie', { Cookie: 'portal.sid=s%3Aforged.c2lnbmF0dXJl' }],
        ['two session cookies', { Cookie: 'portal.sid=a; portal.sid=b' }],
        ['a huge cookie', { Cookie: `portal.sid=${'c'.repeat(8000)}` }],
        ['a strange Accept-Language', { 'Accept-Language': '*;q=abc, ../../etc, zz-ZZZZ-x-' + 'a'.repeat(500) }],
        [
          'a forged Host',
          { Host: 'evil.test', 'X-Forwarded-Host': 'evil.test', 'X-Forwarded-For': '1.2.3.4, <script>' },
        ],
      ];
      for (const [name, headers] of variants) {
        check(await w.tp.anonymous().agent.get('/account/users').set(headers), `GET with ${name}`);
        check(
          await w.tp.anonymous().agent.post('/tickets').set(headers).type('form').send('subject=x&message=y'),
          `POST with ${name}`,
        );
      }
      const bodies: Array<[string, string, string]> = [
        ['JSON', 'application/json', JSON.stringify({ _csrf: owner.csrf, subject: { $ne: 1 }, message: 'x' })],
        ['broken JSON', 'application/json', '{"_csrf": '],
        [
          'multipart',
          'multipart/form-data; boundary=x',
          `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${owner.csrf}\r\n--x--`,
        ],
        ['text', 'text/plain', `_csrf=${owner.csrf}&subject=x&message=y`],
        ['UTF-16 form', 'application/x-www-form-urlencoded; charset=utf-16', `_csrf=${owner.csrf}&subject=x&message=y`],
        ['gzip claimed', 'application/x-www-form-urlencoded', `_csrf=${owner.csrf}&subject=x&message=y`],
      ];
      for (const [name, type, body] of bodies) {
        const req = owner.agent.post('/tickets').set('Content-Type', type);
        if (name === 'gzip claimed') req.set('Content-Encoding', 'gzip');
        check(await req.send(body), `POST /tickets as ${name}`);
      }
    });
  });

  it('the figures add up: a few thousand requests, no 5xx, no row changed', () => {
    assert.ok(stats.requests > 1000, `${stats.requests} requests`);
    assert.equal(stats.fiveXx, 0);
    assert.equal(stats.rowsChanged, 0);
  });
});
