import assert from 'node:assert/strict';
import { count, firstRow } from '../helpers/db';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { lastMail, linkOf } from '../invites/helpers';
import { TABLES } from '../../module/tables';

const SERVICES = ['products', 'manageproducts'];
const DOMAINS = ['domains', 'managedomains'];

describe('access to chosen services and domains', () => {
  let tp: TestPortal;
  let accountId: number;
  let devId: number;
  let owner: Client;
  let dev: Client;
  const ids = { hosting: 0, vps: 0, shop: 0, main: 0, other: 0, foreign: 0 };

  async function service(account: number, product: string, domain: string): Promise<number> {
    const [id] = await tp.knex('services').insert({
      account_id: account,
      product,
      domain,
      status: 'Active',
      amount_cents: 1999,
      billing_cycle: 'Monthly',
      next_due_date: '2026-12-15',
    });
    return Number(id);
  }

  async function domain(account: number, name: string): Promise<number> {
    const [id] = await tp
      .knex('domains')
      .insert({ account_id: account, name, status: 'Active', expires_on: '2027-03-01', auto_renew: true });
    return Number(id);
  }

  before(async () => {
    tp = await setupPortal();
    const alice = await tp.f.user({ firstName: 'Alice', lastName: 'Archer' });
    accountId = (await tp.f.account({ name: 'Acme Web Studio', ownerId: alice.id })).id;
    const other = await tp.f.account({ name: 'Blue Fish Bakery' });
    const contractor = await tp.f.user({ firstName: 'Dana', lastName: 'Developer' });
    devId = contractor.id;
    await tp.f.member(accountId, devId, [...SERVICES, ...DOMAINS]);
    ids.hosting = await service(accountId, 'Business Hosting', 'acme.example');
    ids.vps = await service(accountId, 'VPS Medium', 'build.acme.example');
    ids.foreign = await service(other.id, 'Starter Hosting', 'bluefish.example');
    ids.main = await domain(accountId, 'acme.example');
    ids.other = await domain(accountId, 'acme-studio.example');
    owner = await tp.login(alice.email);
    dev = await tp.login(contractor.email);
    await owner.refreshCsrf('/account/users');
    await dev.refreshCsrf('/');
  });
  after(() => tp.close());

  const stored = async () =>
    (await firstRow(tp, TABLES.members, (q) => q.where({ account_id: accountId, user_id: devId })))!.scopes;

  function save(fields: Record<string, string | string[]>) {
    return owner.post(`/account/users/${devId}/permissions`, {
      access: 'choose',
      permissions: [...SERVICES, ...DOMAINS],
      ...fields,
    });
  }

  it('Manage Permissions lists the account’s own services and domains to choose from', async () => {
    const page = await owner.get(`/account/users/${devId}/permissions`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Which services/);
    assert.match(page.text, /Business Hosting \(acme\.example\)/);
    assert.match(page.text, /acme-studio\.example/);
    assert.doesNotMatch(page.text, /Starter Hosting/, 'another account’s services are not offered');
  });

  it('a member narrowed to one service sees only it; acting on another answers 404, changing nothing', async () => {
    const saved = await save({ scope_products: 'chosen', items_products: String(ids.hosting), scope_domains: 'all' });
    assert.equal(saved.status, 303);
    assert.deepEqual(JSON.parse((await stored())!), { products: [ids.hosting] });

    const list = await dev.get('/services');
    assert.equal(list.status, 200);
    assert.match(list.text, /Business Hosting/);
    assert.doesNotMatch(list.text, /VPS Medium/);
    const dashboard = await dev.get('/');
    assert.equal(dashboard.status, 200);

    await dev.refreshCsrf('/services');
    const refused = await dev.post(`/services/${ids.vps}/cancel`);
    assert.equal(refused.status, 404);
    assert.equal((await firstRow(tp, 'services', (q) => q.where('id', ids.vps)))!.status, 'Active');

    const allowed = await dev.post(`/services/${ids.hosting}/cancel`);
    assert.equal(allowed.status, 303);
    assert.equal((await firstRow(tp, 'services', (q) => q.where('id', ids.hosting)))!.status, 'Cancellation Requested');

    // Domains were left at "all": every domain, and its action, as before.
    const domains = await dev.get('/domains');
    assert.match(domains.text, /acme-studio\.example/);
    assert.match(domains.text, /acme\.example/);
  });

  it('a domain outside the chosen ones answers 404 for its action and is left as it was', async () => {
    await save({ scope_products: 'all', scope_domains: 'chosen', items_domains: String(ids.main) });
    const list = await dev.get('/domains');
    assert.doesNotMatch(list.text, /acme-studio\.example/);
    await dev.refreshCsrf('/domains');
    const refused = await dev.post(`/domains/${ids.other}/auto-renew`);
    assert.equal(refused.status, 404);
    assert.equal(Boolean((await firstRow(tp, 'domains', (q) => q.where('id', ids.other)))!.auto_renew), true);
    const allowed = await dev.post(`/domains/${ids.main}/auto-renew`);
    assert.equal(allowed.status, 303);
    assert.equal(Boolean((await firstRow(tp, 'domains', (q) => q.where('id', ids.main)))!.auto_renew), false);
  });

  it('a service added later is seen only under “all services”', async () => {
    await save({ scope_products: 'chosen', items_products: String(ids.vps), scope_domains: 'all' });
    ids.shop = await service(accountId, 'SSL Certificate', 'shop.acme.example');
    const scoped = await dev.get('/services');
    assert.match(scoped.text, /VPS Medium/);
    assert.doesNotMatch(scoped.text, /SSL Certificate/);
    await dev.refreshCsrf('/services');
    assert.equal((await dev.post(`/services/${ids.shop}/cancel`)).status, 404);

    await save({ scope_products: 'all', scope_domains: 'all' });
    assert.equal(await stored(), null, 'clearing the scope leaves nothing stored');
    const all = await dev.get('/services');
    assert.match(all.text, /SSL Certificate/);
    assert.match(all.text, /VPS Medium/);
  });

  it('another account’s service, an unknown id or nothing ticked is refused 422; nothing is saved', async () => {
    await save({ scope_products: 'chosen', items_products: String(ids.vps), scope_domains: 'all' });
    const before = await stored();
    for (const items of [[String(ids.vps), String(ids.foreign)], ['999999'], ['abc'], []]) {
      const res = await save({ scope_products: 'chosen', items_products: items, scope_domains: 'all' });
      assert.equal(res.status, 422, `items ${items.join(',')}`);
      assert.match(res.text, /role="alert"/);
    }
    assert.equal(await stored(), before);
  });

  it('the scope goes with the permissions it narrows, and with All Permissions', async () => {
    await save({ scope_products: 'chosen', items_products: String(ids.vps), scope_domains: 'all' });
    await owner.post(`/account/users/${devId}/permissions`, { access: 'choose', permissions: ['tickets'] });
    assert.equal(await stored(), null);
    await save({ scope_products: 'chosen', items_products: String(ids.vps), scope_domains: 'all' });
    await owner.post(`/account/users/${devId}/permissions`, { access: 'all' });
    assert.equal(await stored(), null);
    const all = await dev.get('/services');
    assert.match(all.text, /Business Hosting/);
  });

  it('an invitation carries the chosen service to the membership it creates', async () => {
    const guest = await tp.f.user({ firstName: 'Cora', lastName: 'Contractor' });
    const res = await owner.post('/account/users/invite', {
      email: guest.email,
      access: 'choose',
      permissions: SERVICES,
      scope_products: 'chosen',
      items_products: String(ids.vps),
    });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const link = linkOf(await lastMail(tp, guest.email));
    const cora = await tp.login(guest.email);
    await cora.refreshCsrf(link.path);
    assert.equal((await cora.post(`${link.path}/accept`)).status, 303);
    const list = await cora.get('/services');
    assert.equal(list.status, 200);
    assert.match(list.text, /VPS Medium/);
    assert.doesNotMatch(list.text, /Business Hosting/);
    await cora.refreshCsrf('/services');
    assert.equal((await cora.post(`/services/${ids.hosting}/cancel`)).status, 404);
  });

  it('an invitation naming another account’s service is refused 422 and nothing is sent', async () => {
    const res = await owner.post('/account/users/invite', {
      email: 'someone.else@example.test',
      access: 'choose',
      permissions: SERVICES,
      scope_products: 'chosen',
      items_products: String(ids.foreign),
    });
    assert.equal(res.status, 422);
    assert.equal(await count(tp, TABLES.invites, { email: 'someone.else@example.test' }), 0);
  });
});
