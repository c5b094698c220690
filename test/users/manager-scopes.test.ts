import assert from 'node:assert/strict';
import { allRows, count, firstRow } from '../helpers/db';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';

const SERVICES = ['products', 'manageproducts'];
const ALL_ITEMS = /so you can not give access to all of them\. Tick some of yours instead\. Nothing was changed\./;
const BEYOND_ITEMS =
  /You can give access only to services and domains you have access to yourself\. Nothing was changed\./;

/**
 * A user manager's grants of services and domains: Mia manages Acme's users and may see and
 * manage two of its three services (every domain); Rita has tickets only.
 */
describe('a user manager grants services and domains within their own', () => {
  let tp: TestPortal;
  let accountId: number;
  let owner: Client;
  let mia: Client;
  let miaId: number;
  let ritaId: number;
  const ids = { hosting: 0, vps: 0, shop: 0, main: 0, other: 0 };

  async function service(product: string, domain: string): Promise<number> {
    const [id] = await tp.knex('services').insert({
      account_id: accountId,
      product,
      domain,
      status: 'Active',
      amount_cents: 1999,
      billing_cycle: 'Monthly',
      next_due_date: '2026-12-15',
    });
    return Number(id);
  }

  async function domain(name: string): Promise<number> {
    const [id] = await tp
      .knex('domains')
      .insert({ account_id: accountId, name, status: 'Active', expires_on: '2027-03-01', auto_renew: true });
    return Number(id);
  }

  /** The owner sets Mia's services: chosen ids, or every service. */
  async function miaServices(items: number[] | 'all') {
    const res = await owner.post(`/account/users/${miaId}/permissions`, {
      access: 'choose',
      permissions: [...SERVICES, 'domains', 'tickets', 'manageusers'],
      ...(items === 'all'
        ? { scope_products: 'all' }
        : { scope_products: 'chosen', items_products: items.map(String) }),
      scope_domains: 'all',
    });
    assert.equal(res.status, 303, res.text.slice(0, 300));
  }

  beforeEach(async () => {
    tp = await setupPortal();
    const alice = await tp.f.user({ firstName: 'Alice', lastName: 'Archer' });
    accountId = (await tp.f.account({ name: 'Acme Web Studio', ownerId: alice.id })).id;
    const m = await tp.f.user({ email: 'mia@example.test', firstName: 'Mia', lastName: 'Manager' });
    const r = await tp.f.user({ email: 'rita@example.test', firstName: 'Rita', lastName: 'Regular' });
    miaId = m.id;
    ritaId = r.id;
    await tp.f.member(accountId, miaId, ['tickets']);
    await tp.f.member(accountId, ritaId, ['tickets']);
    ids.hosting = await service('Business Hosting', 'acme.example');
    ids.vps = await service('VPS Medium', 'build.acme.example');
    ids.shop = await service('SSL Certificate', 'shop.acme.example');
    ids.main = await domain('acme.example');
    ids.other = await domain('acme-studio.example');
    owner = await tp.login(alice.email);
    await owner.refreshCsrf('/account/users');
    await miaServices([ids.hosting, ids.vps]);
    mia = await tp.login(m.email);
    await mia.refreshCsrf('/account/users');
  });
  afterEach(() => tp.close());

  /** Everything a refused attempt could have changed. */
  async function state(): Promise<string> {
    const members = await allRows(tp, TABLES.members, (q) => q.orderBy('id'));
    const invites = await allRows(tp, TABLES.invites, (q) => q.orderBy('id'));
    return JSON.stringify({
      members: members.map((x) => [x.user_id, Boolean(x.all_permissions), x.permissions, x.scopes]),
      invites: invites.map((i) => [i.id, Boolean(i.all_permissions), i.permissions, i.scopes, i.pending_email]),
      log: await count(tp, TABLES.log),
      mails: await count(tp, 'outbox'),
    });
  }

  async function refused(attempt: () => Promise<{ status: number; text: string }>, message: RegExp): Promise<void> {
    const before = await state();
    const res = await attempt();
    assert.equal(res.status, 403, res.text.slice(0, 400));
    assert.match(res.text, message);
    assert.equal(await state(), before, 'nothing changed');
  }

  const ritaScopes = async () =>
    (await firstRow(tp, TABLES.members, (q) => q.where({ account_id: accountId, user_id: ritaId })))!.scopes;

  function saveRita(fields: Record<string, string | string[]>) {
    return mia.post(`/account/users/${ritaId}/permissions`, {
      access: 'choose',
      permissions: [...SERVICES, 'tickets'],
      ...fields,
    });
  }

  it('gives one of their own services; “all” or a service outside theirs is refused 403', async () => {
    const ok = await saveRita({ scope_products: 'chosen', items_products: String(ids.vps) });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    assert.deepEqual(JSON.parse((await ritaScopes())!), { products: [ids.vps] });

    await refused(() => saveRita({ scope_products: 'all' }), ALL_ITEMS);
    // Left out, the choice is "all": refused the same way.
    await refused(() => saveRita({}), ALL_ITEMS);
    await refused(
      () => saveRita({ scope_products: 'chosen', items_products: [String(ids.vps), String(ids.shop)] }),
      BEYOND_ITEMS,
    );
    assert.deepEqual(JSON.parse((await ritaScopes())!), { products: [ids.vps] });
  });

  it('invites only within their services: “all” or another service is refused 403 and nothing is sent', async () => {
    const invite = (email: string, fields: Record<string, string | string[]>) =>
      mia.post('/account/users/invite', { email, access: 'choose', permissions: SERVICES, ...fields });
    await refused(() => invite('cora@example.test', { scope_products: 'all' }), ALL_ITEMS);
    await refused(
      () => invite('cora@example.test', { scope_products: 'chosen', items_products: String(ids.shop) }),
      BEYOND_ITEMS,
    );
    await refused(
      () =>
        invite('cora@example.test, dora@example.test', { scope_products: 'chosen', items_products: String(ids.shop) }),
      BEYOND_ITEMS,
    );
    const ok = await invite('cora@example.test', { scope_products: 'chosen', items_products: String(ids.hosting) });
    assert.equal(ok.status, 303, ok.text.slice(0, 300));
    const row = await firstRow(tp, TABLES.invites, (q) => q.where({ email: 'cora@example.test' }));
    assert.deepEqual(JSON.parse(row!.scopes!), { products: [ids.hosting] });
  });

  it('does not add services to an invitation for all of them', async () => {
    const sent = await owner.post('/account/users/invite', {
      email: 'cora@example.test',
      access: 'choose',
      permissions: 'tickets',
    });
    assert.equal(sent.status, 303);
    const invite = await firstRow(tp, TABLES.invites, (q) => q.where({ email: 'cora@example.test' }));
    await refused(
      () =>
        mia.post(`/account/invites/${invite!.id}/access`, { access: 'choose', permissions: ['tickets', 'products'] }),
      ALL_ITEMS,
    );
  });

  it('keeps what the person has: saving Rita with the owner’s service untouched is no grant', async () => {
    await owner.post(`/account/users/${ritaId}/permissions`, {
      access: 'choose',
      permissions: ['products', 'tickets'],
      scope_products: 'chosen',
      items_products: String(ids.shop),
    });
    // Taking tickets away keeps the service Mia does not hold: allowed.
    const kept = await mia.post(`/account/users/${ritaId}/permissions`, {
      access: 'choose',
      permissions: ['products'],
      scope_products: 'chosen',
      items_products: String(ids.shop),
    });
    assert.equal(kept.status, 303, kept.text.slice(0, 300));
    // Adding Manage services would reach the service Mia does not hold.
    await refused(
      () =>
        mia.post(`/account/users/${ritaId}/permissions`, {
          access: 'choose',
          permissions: SERVICES,
          scope_products: 'chosen',
          items_products: String(ids.shop),
        }),
      BEYOND_ITEMS,
    );
  });

  it('the form lists only their own services, without “all services”', async () => {
    const page = await mia.get(`/account/users/${ritaId}/permissions`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Business Hosting/);
    assert.match(page.text, /VPS Medium/);
    assert.doesNotMatch(page.text, /SSL Certificate/);
    assert.match(page.text, /id="scope-products-all"[^>]*disabled/);
    assert.match(page.text, /id="scope-products-chosen"[^>]*checked/);
    assert.match(page.text, /Your own access is limited to the services listed here/);
    // Domains are all Mia's: offered as to the owner.
    assert.doesNotMatch(page.text, /id="scope-domains-all"[^>]*disabled/);
    const users = await mia.get('/account/users');
    assert.doesNotMatch(users.text, /SSL Certificate/);
    assert.match(users.text, /id="invite-scope-products-all"[^>]*disabled/);
  });

  it('a manager with all services gives any service, or all of them', async () => {
    await miaServices('all');
    const page = await mia.get(`/account/users/${ritaId}/permissions`);
    assert.match(page.text, /SSL Certificate/);
    assert.doesNotMatch(page.text, /id="scope-products-all"[^>]*disabled/);
    const one = await saveRita({ scope_products: 'chosen', items_products: String(ids.shop) });
    assert.equal(one.status, 303, one.text.slice(0, 300));
    assert.deepEqual(JSON.parse((await ritaScopes())!), { products: [ids.shop] });
    const all = await saveRita({ scope_products: 'all', scope_domains: 'all' });
    assert.equal(all.status, 303, all.text.slice(0, 300));
    assert.equal(await ritaScopes(), null);
  });
});
