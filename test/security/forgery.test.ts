import assert from 'node:assert/strict';
import { Client, encodeForm } from '../helpers/portal';
import { buildWorld, login, loginTo, PASSWORD, type World } from './fixture';
import { unchangedBy } from './snapshot';

const MOD = '/admin/modules/account_users';

interface Route {
  name: string;
  as: 'owner' | 'member' | 'anon' | 'admin';
  path(w: World): string;
  fields(w: World): Record<string, string | string[]>;
}

const route = (
  name: string,
  as: Route['as'],
  path: (w: World) => string,
  fields: (w: World) => Record<string, string | string[]> = () => ({}),
): Route => ({ name, as, path, fields });

/** Every POST route of the portal and the module, with fields that would succeed with a valid token. */
const POST_ROUTES: Route[] = [
  route(
    '/login',
    'anon',
    () => '/login',
    (w) => ({ email: w.alice.email, password: PASSWORD }),
  ),
  route('/logout', 'owner', () => '/logout'),
  route(
    '/language',
    'owner',
    () => '/language',
    () => ({ locale: 'de' }),
  ),
  route(
    '/settings/language',
    'owner',
    () => '/settings/language',
    () => ({ locale: 'de' }),
  ),
  route(
    '/settings/password',
    'owner',
    () => '/settings/password',
    () => ({ currentPassword: PASSWORD, newPassword: 'another-password-2', newPasswordAgain: 'another-password-2' }),
  ),
  route(
    '/tickets',
    'owner',
    () => '/tickets',
    () => ({ subject: 'Forged', message: 'Forged' }),
  ),
  route(
    '/profile',
    'owner',
    () => '/profile',
    () => ({ name: 'Forged Ltd', email: 'forged@attacker.test' }),
  ),
  route(
    '/contacts',
    'owner',
    () => '/contacts',
    () => ({ firstName: 'F', lastName: 'G', email: 'fg@attacker.test' }),
  ),
  route('/services/:id/cancel', 'owner', (w) => `/services/${w.acmeService}/cancel`),
  route('/domains/:id/auto-renew', 'owner', (w) => `/domains/${w.acmeDomain}/auto-renew`),
  route(
    '/account/switch',
    'owner',
    () => '/account/switch',
    (w) => ({ accountId: String(w.acme.id) }),
  ),
  route(
    '/account/users/invite',
    'owner',
    () => '/account/users/invite',
    () => ({ email: 'forged@attacker.test', access: 'all' }),
  ),
  route(
    '/account/users/:userId/permissions',
    'owner',
    (w) => `/account/users/${w.dev.id}/permissions`,
    () => ({ access: 'choose', permissions: ['tickets'] }),
  ),
  route('/account/users/:userId/remove', 'owner', (w) => `/account/users/${w.dev.id}/remove`),
  route('/account/invites/:inviteId/resend', 'owner', (w) => `/account/invites/${w.acmeInviteId}/resend`),
  route('/account/invites/:inviteId/cancel', 'owner', (w) => `/account/invites/${w.acmeInviteId}/cancel`),
  route('/account/leave', 'member', () => '/account/leave'),
  route('/account/invite/:token/accept', 'member', (w) => `/account/invite/${w.acmeInviteToken}/accept`),
  route(
    '/account/invite/:token/register',
    'anon',
    (w) => `/account/invite/${w.acmeInviteToken}/register`,
    () => ({ firstName: 'P', lastName: 'Q', password: 'a-long-password', passwordConfirm: 'a-long-password' }),
  ),
  route(
    '/admin/login',
    'anon',
    () => '/admin/login',
    () => ({ email: 'root@portal.test', password: PASSWORD }),
  ),
  route('/admin/logout', 'admin', () => '/admin/logout'),
  route(
    '/admin/modules/lifecycle',
    'admin',
    () => '/admin/modules/lifecycle',
    () => ({ action: 'deactivate' }),
  ),
  route(
    '/admin/modules/settings',
    'admin',
    () => '/admin/modules/settings',
    () => ({ inviteLifetimeDays: '30', maxUsersPerAccount: '0', invitesPerHour: '20' }),
  ),
  route(
    `${MOD}/accounts/:accountId/users`,
    'admin',
    (w) => `${MOD}/accounts/${w.acme.id}/users`,
    (w) => ({ email: w.sam.email, access: 'all' }),
  ),
  route(
    `${MOD}/accounts/:accountId/users/:userId/owner`,
    'admin',
    (w) => `${MOD}/accounts/${w.acme.id}/users/${w.dev.id}/owner`,
  ),
  route(
    `${MOD}/accounts/:accountId/users/:userId/remove`,
    'admin',
    (w) => `${MOD}/accounts/${w.acme.id}/users/${w.dev.id}/remove`,
  ),
  route(
    `${MOD}/accounts/:accountId/invites`,
    'admin',
    (w) => `${MOD}/accounts/${w.acme.id}/invites`,
    () => ({ email: 'staff-forged@attacker.test', access: 'all' }),
  ),
  route(
    `${MOD}/accounts/:accountId/invites/:inviteId/resend`,
    'admin',
    (w) => `${MOD}/accounts/${w.acme.id}/invites/${w.acmeInviteId}/resend`,
  ),
  route(
    `${MOD}/accounts/:accountId/invites/:inviteId/cancel`,
    'admin',
    (w) => `${MOD}/accounts/${w.acme.id}/invites/${w.acmeInviteId}/cancel`,
  ),
];

/** Anti-forgery on every state change: a missing, a wrong and another session's token are all refused. */
describe('security: CSRF on every POST and no state change on GET', () => {
  let w: World;
  const clients: Record<string, Client> = {};
  let otherSession: Client;
  before(async () => {
    w = await buildWorld();
    await w.tp.f.admin({ email: 'root@portal.test' });
    clients.owner = await loginTo(w.tp, w.alice.email, w.acme.id);
    clients.member = await loginTo(w.tp, w.dev.email, w.acme.id);
    clients.admin = await w.tp.staffLogin('root@portal.test');
    clients.anon = w.tp.anonymous();
    await clients.anon.refreshCsrf('/login');
    otherSession = await login(w.tp, w.mallory.email);
  });
  after(() => w.tp.close());

  const variants: Array<[string, (c: Client) => string | undefined]> = [
    ['missing', () => undefined],
    ['wrong', (c) => `${c.csrf.slice(0, -4)}AAAA`],
    ["another session's", () => otherSession.csrf],
  ];
  for (const r of POST_ROUTES) {
    for (const [variant, token] of variants) {
      it(`POST ${r.name}: ${variant} token → 403, nothing changed`, async () => {
        const client = clients[r.as];
        const path = r.path(w);
        await unchangedBy(
          w.tp.knex,
          async () => {
            const value = token(client);
            const body = encodeForm(value === undefined ? r.fields(w) : { ...r.fields(w), _csrf: value });
            const res = await client.agent.post(path).type('form').send(body);
            assert.equal(res.status, 403, `${path} answered ${res.status}`);
            assert.match(res.text, /The form had expired/);
          },
          `POST ${path} with a ${variant} token`,
        );
      });
    }
  }

  it('the CSRF token is not accepted from the query string', async () => {
    const client = clients.owner;
    await unchangedBy(w.tp.knex, async () => {
      const res = await client.agent
        .post(`/tickets?_csrf=${encodeURIComponent(client.csrf)}`)
        .type('form')
        .send('subject=x&message=y');
      assert.equal(res.status, 403);
    });
  });

  it('a signed-in session still works after all the refusals (the attacks did not log anyone out)', async () => {
    assert.equal((await clients.owner.get('/account/users')).status, 200);
  });

  it('no GET changes the database: every page, confirmation and invitation page, signed in and out', async () => {
    const paths = [
      '/',
      '/services',
      '/domains',
      '/invoices',
      `/invoices/${w.acmeInvoice}`,
      '/quotes',
      '/tickets',
      '/profile',
      '/contacts',
      '/settings',
      '/no-account',
      '/account/switch',
      '/account/users',
      '/account/activity',
      `/account/users/${w.dev.id}/permissions`,
      `/account/users/${w.dev.id}/remove`,
      `/account/invites/${w.acmeInviteId}/cancel`,
      `/account/invite/${w.acmeInviteToken}`,
      '/account/leave',
      // GET on addresses that only take POST must not act either.
      '/logout',
      `/account/users/${w.dev.id}/remove?confirm=1`,
      `/account/invite/${w.acmeInviteToken}/accept`,
      '/account/users/invite?email=x@attacker.test&access=all',
      `/services/${w.acmeService}/cancel`,
      '/admin/logout',
      '/admin/modules/lifecycle?action=uninstall',
    ];
    await unchangedBy(w.tp.knex, async () => {
      for (const client of [clients.owner, clients.member, clients.anon]) {
        for (const path of paths) {
          const res = await client.get(path);
          assert.ok(res.status < 500, `GET ${path} answered ${res.status}`);
        }
      }
      const staffPages = [
        '',
        '/users',
        `/users/${w.dev.id}`,
        `/users/${w.dev.id}/log`,
        '/accounts',
        `/accounts/${w.acme.id}`,
        `/accounts/${w.acme.id}/log`,
        `/accounts/${w.acme.id}/users/${w.dev.id}/owner`,
        `/accounts/${w.acme.id}/users/${w.dev.id}/remove`,
        `/accounts/${w.acme.id}/invites/${w.acmeInviteId}/cancel`,
        `/accounts/${w.acme.id}/invites/${w.acmeInviteId}/resend`,
        `/accounts/${w.acme.id}/users?email=${encodeURIComponent(w.sam.email)}&access=all`,
      ].map((p) => `${MOD}${p}`);
      for (const path of [
        '/admin',
        '/admin/modules',
        '/admin/modules/deactivate',
        '/admin/modules/uninstall',
        '/admin/outbox',
        '/admin/logout',
        '/admin/modules/lifecycle?action=uninstall&confirm=yes',
        ...staffPages,
      ]) {
        const res = await clients.admin.get(path);
        assert.ok(res.status < 500, `GET ${path} answered ${res.status}`);
      }
    });
    // And the sessions that issued them are all still signed in.
    assert.equal((await clients.owner.get('/account/users')).status, 200);
    assert.equal((await clients.admin.get('/admin/modules')).status, 200);
  });
});
