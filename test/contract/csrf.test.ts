import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { settingsForm } from '../settings/helpers';
import { BARE_PASSWORD, bareHost, BareClient, type BareHost } from './bare-host';
import { TABLES } from '../../module/tables';
import { count, foundRow } from '../helpers/db';

/** Every POST path of an Express app's routers, as declared (e.g. `/users/:userId/remove`). */
function postRoutes(app: Express): string[] {
  const paths: string[] = [];
  const walk = (
    stack: Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>,
  ) => {
    for (const layer of stack) {
      if (layer.route?.methods.post) paths.push(layer.route.path);
      else if (layer.handle?.stack) walk(layer.handle.stack as typeof stack);
    }
  };
  walk((app as unknown as { router: { stack: Parameters<typeof walk>[0] } }).router.stack);
  return paths;
}

/** Everything the module keeps, plus the host's users: a forged request must leave all of it as it was. */
async function snapshot(knex: Knex): Promise<string> {
  const tables = [
    TABLES.members,
    TABLES.invites,
    TABLES.log,
    TABLES.settings,
    TABLES.ownershipOffers,
    'users',
    'accounts',
  ];
  const rows = await Promise.all(
    tables.map((t) =>
      knex(t)
        .orderBy(t === TABLES.settings ? 'name' : 'id')
        .select(),
    ),
  );
  return JSON.stringify(rows);
}

describe('host contract: the module checks its own CSRF token (a host without any CSRF middleware)', () => {
  let host: BareHost;
  afterEach(() => host.close());

  it('refuses every client and admin POST route without the module token (403) and changes nothing', async () => {
    host = await bareHost();
    const owner = await host.user('Olga', 'Owner');
    const member = await host.user('Max', 'Member');
    const bob = await host.user('Bob', 'Baker');
    const accountId = await host.account('Olive Hosting', owner.id);
    const otherAccountId = await host.account('Second Shop', owner.id);
    await host.module.activate();
    await host.member(accountId, member.id, 'all', owner.id);

    const ownerClient = await host.signIn(owner.id);
    await ownerClient.get('/account/switch');
    assert.equal((await ownerClient.post('/account/switch', { accountId: String(accountId) })).status, 303);
    const tokenOf = async (email: string) => {
      assert.equal(
        (await ownerClient.post('/account/users/invite', { email, access: 'all' }, '/account/users')).status,
        303,
      );
      const mail = host.mails.filter((m) => m.to === email).at(-1)!;
      return /\/invite\/([A-Za-z0-9_-]+)/.exec(mail.text)![1];
    };
    await tokenOf('pending@example.test');
    const newcomerToken = await tokenOf('newcomer@example.test');
    const bobToken = await tokenOf(bob.email);
    const inviteId = String((await foundRow(host, TABLES.invites, { email: 'pending@example.test' })).id);
    const bobInviteId = String((await foundRow(host, TABLES.invites, { email: bob.email })).id);

    const memberClient = await host.signIn(member.id);
    const bobClient = await host.signIn(bob.id);
    const visitor = new BareClient(host.app);
    await visitor.get(`/account/invite/${newcomerToken}`);
    const staff = await host.signInAdmin(await host.admin());
    await staff.get('/admin/account-users/settings');
    // Each session has a module token already (pages with forms were shown); the forged post lacks it.
    for (const c of [ownerClient, memberClient, bobClient]) await c.get('/account/users');

    // An open offer of ownership to the member, for the member's answers.
    const offered = { userId: String(member.id), password: BARE_PASSWORD };
    assert.equal((await ownerClient.post('/account/ownership', offered, '/account/users')).status, 303);
    const offerId = String((await foundRow(host, TABLES.ownershipOffers, { open_account_id: accountId })).id);
    const params: Record<string, string> = {
      userId: String(member.id),
      inviteId,
      accountId: String(accountId),
      offerId,
    };
    const fill = (path: string, token?: string) =>
      path.replace(/:(\w+)/g, (_m, name: string) => (name === 'token' ? token! : params[name]));
    const client: Record<string, { as: BareClient; path: string; fields: Record<string, string | string[]> }> = {
      '/users/:userId/permissions': {
        as: ownerClient,
        path: fill('/users/:userId/permissions'),
        fields: { access: 'choose', permissions: ['invoices'] },
      },
      '/users/:userId/remove': { as: ownerClient, path: fill('/users/:userId/remove'), fields: {} },
      '/leave': { as: memberClient, path: '/leave', fields: {} },
      '/ownership': { as: ownerClient, path: '/ownership', fields: offered },
      '/ownership/withdraw': { as: ownerClient, path: '/ownership/withdraw', fields: {} },
      '/ownership/:offerId/accept': { as: memberClient, path: fill('/ownership/:offerId/accept'), fields: {} },
      '/ownership/:offerId/decline': { as: memberClient, path: fill('/ownership/:offerId/decline'), fields: {} },
      '/users/invite': {
        as: ownerClient,
        path: '/users/invite',
        fields: { email: 'forged@example.test', access: 'all' },
      },
      '/invites/:inviteId/resend': { as: ownerClient, path: fill('/invites/:inviteId/resend'), fields: {} },
      '/invites/:inviteId/cancel': { as: ownerClient, path: fill('/invites/:inviteId/cancel'), fields: {} },
      '/invites/:inviteId/access': {
        as: ownerClient,
        path: fill('/invites/:inviteId/access'),
        fields: { access: 'all' },
      },
      '/invite/:token/accept': { as: bobClient, path: fill('/invite/:token/accept', bobToken), fields: {} },
      '/invitations/:inviteId/accept': { as: bobClient, path: `/invitations/${bobInviteId}/accept`, fields: {} },
      '/invitations/:inviteId/decline': { as: bobClient, path: `/invitations/${bobInviteId}/decline`, fields: {} },
      '/invite/:token/register': {
        as: visitor,
        path: fill('/invite/:token/register', newcomerToken),
        fields: { firstName: 'Nora', lastName: 'New', password: 'a-long-password', passwordConfirm: 'a-long-password' },
      },
      // Last: a switch, if it went through, would move the owner's session out of the account.
      '/switch': { as: ownerClient, path: '/switch', fields: { accountId: String(otherAccountId) } },
    };
    const adminFields: Record<string, Record<string, string | string[]>> = {
      '/accounts/:accountId/users': { email: bob.email, access: 'all' },
      '/accounts/:accountId/users/:userId/owner': {},
      '/accounts/:accountId/users/:userId/remove': {},
      '/accounts/:accountId/users/:userId/permissions': { access: 'choose', permissions: ['tickets'] },
      '/accounts/:accountId/invites': { email: 'forged-admin@example.test', access: 'all' },
      '/accounts/:accountId/invites/:inviteId/resend': {},
      '/accounts/:accountId/invites/:inviteId/cancel': {},
      '/settings': settingsForm({ disableClientManagement: true, allowLeave: false }),
    };
    const admin = Object.fromEntries(
      Object.entries(adminFields).map(([route, fields]) => [
        route,
        { as: staff, path: `/admin/account-users${fill(route)}`, fields },
      ]),
    );
    // Every POST route the apps declare is covered here: a new route must be added to this test.
    assert.deepEqual(postRoutes(host.module.client).sort(), Object.keys(client).sort());
    assert.deepEqual(postRoutes(host.module.admin).sort(), Object.keys(admin).sort());

    const mailsBefore = host.mails.length;
    const wrong: string[] = [];
    const forge = async (as: BareClient, path: string, fields: Record<string, string | string[]>) => {
      const before = await snapshot(host.knex);
      const res = await as.postWithoutToken(path, fields);
      if (res.status !== 403) wrong.push(`POST ${path} answered ${res.status}`);
      if ((await snapshot(host.knex)) !== before) wrong.push(`POST ${path} changed the database`);
    };
    for (const { as, path, fields } of Object.values(client)) await forge(as, `/account${path}`, fields);
    for (const { as, path, fields } of Object.values(admin)) await forge(as, path, fields);
    assert.deepEqual(wrong, []);
    assert.equal(host.mails.length, mailsBefore, 'no e-mail went out');

    // A wrong token is refused the same way; the right one passes (the refusal is the token's).
    assert.equal(
      (
        await ownerClient.agent
          .post('/account/users/invite')
          .type('form')
          .send({ _csrf: 'forged', email: 'x@example.test', access: 'all' })
      ).status,
      403,
    );
    assert.equal(
      (await ownerClient.post('/account/users/invite', { email: 'x@example.test', access: 'all' }, '/account/users'))
        .status,
      303,
    );
  });

  it("keeps a host's own 403 its own: a registration the host forbids is not shown as an expired form", async () => {
    host = await bareHost();
    const owner = await host.user('Olga', 'Owner');
    const accountId = await host.account('Olive Hosting', owner.id);
    await host.module.activate();
    const ownerClient = await host.signIn(owner.id);
    assert.equal(
      (
        await ownerClient.post(
          '/account/users/invite',
          { email: 'newcomer@example.test', access: 'all' },
          '/account/users',
        )
      ).status,
      303,
    );
    const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(host.mails.at(-1)!.text)![1];
    // The host's own rule (say, no sign-ups from this address) refuses the new login with a 403.
    host.contract.users.create = () =>
      Promise.reject(Object.assign(new Error('sign-ups are closed for this address'), { status: 403 }));

    const visitor = new BareClient(host.app);
    const path = `/account/invite/${token}/register`;
    const res = await visitor.post(
      path,
      { firstName: 'Nora', lastName: 'New', password: 'a-long-password', passwordConfirm: 'a-long-password' },
      `/account/invite/${token}`,
    );
    assert.equal(res.status, 403);
    assert.doesNotMatch(res.text, /form had expired/, 'the valid token was not the reason');
    assert.match(res.text, /host error: sign-ups are closed for this address/);
    assert.deepEqual(
      host.pages.filter((p) => p.path === path),
      [],
      'the module drew no page: the host answers its own refusal',
    );
    assert.equal(await count(host, TABLES.members, { account_id: accountId }), 1, 'nobody joined');
  });

  it('takes its token from the body or a header, not the query string (URLs leak into logs and Referer)', async () => {
    host = await bareHost();
    const owner = await host.user('Olga', 'Owner');
    const member = await host.user('Max', 'Member');
    const accountId = await host.account('Olive Hosting', owner.id);
    await host.module.activate();
    await host.member(accountId, member.id, 'all', owner.id);
    const client = await host.signIn(owner.id);
    await client.get('/account/users');
    assert.ok(client.token, 'the page carried the module token');
    const fields = { accountId: client.accountId, access: 'choose', permissions: 'invoices' };
    const path = `/account/users/${member.id}/permissions`;

    const before = await snapshot(host.knex);
    const inQuery = await client.agent
      .post(`${path}?_csrf=${encodeURIComponent(client.token)}`)
      .type('form')
      .send(fields);
    assert.equal(inQuery.status, 403);
    assert.match(inQuery.text, /form had expired/);
    assert.equal(await snapshot(host.knex), before, 'nothing changed');

    const inHeader = await client.agent.post(path).set('x-csrf-token', client.token).type('form').send(fields);
    assert.equal(
      inHeader.status,
      303,
      'the same token in the header is accepted: the refusal above was the query string',
    );
    const row = (await host.knex(TABLES.members).where({ account_id: accountId, user_id: member.id }).first()) as {
      permissions: string;
    };
    assert.deepEqual(JSON.parse(row.permissions), ['invoices']);
  });
});
