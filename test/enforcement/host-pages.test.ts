import assert from 'node:assert/strict';
import { count, foundRow } from '../helpers/db';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';
import { SHIPPED_KEYS } from '../helpers/catalogue';

const CATALOGUE = SHIPPED_KEYS;

/** Each host page, the key that guards it, and the label the 403 page names. */
const PAGES: Array<{ path: string; key: string; label: string; shows: RegExp }> = [
  { path: '/services', key: 'products', label: 'View services', shows: /Business Hosting/ },
  { path: '/domains', key: 'domains', label: 'View domains', shows: /acme\.example/ },
  { path: '/invoices', key: 'invoices', label: 'Invoices', shows: /INV-7001/ },
  { path: '/invoices/:invoiceId', key: 'invoices', label: 'Invoices', shows: /Invoice INV-7001/ },
  { path: '/quotes', key: 'quotes', label: 'Quotes', shows: /Server for clients/ },
  { path: '/tickets', key: 'tickets', label: 'Support tickets', shows: /PHP upgrade/ },
  { path: '/profile', key: 'profile', label: 'Account details', shows: /Billing e-mail address/ },
  { path: '/contacts', key: 'contacts', label: 'Contacts', shows: /Carl/ },
];

describe('permissions enforced on every host page', () => {
  let tp: TestPortal;
  let accountId: number;
  let memberId: number;
  let member: Client;
  let owner: Client;
  let ids: { invoiceId: number; serviceId: number; domainId: number };

  before(async () => {
    tp = await setupPortal();
    const alice = await tp.f.user({ email: 'alice.enf@example.test', firstName: 'Alice', lastName: 'Archer' });
    const account = await tp.f.account({ name: 'Acme Web Studio', ownerId: alice.id });
    accountId = account.id;
    const dev = await tp.f.user({ firstName: 'Dana', lastName: 'Developer' });
    memberId = dev.id;
    await tp.f.member(accountId, memberId, ['tickets']);
    const serviceId = await tp
      .knex('services')
      .insert({
        account_id: accountId,
        product: 'Business Hosting',
        domain: 'acme.example',
        status: 'Active',
        amount_cents: 1999,
        billing_cycle: 'Monthly',
        next_due_date: '2026-12-15',
      })
      .then(([id]) => Number(id));
    const domainId = await tp
      .knex('domains')
      .insert({
        account_id: accountId,
        name: 'acme.example',
        status: 'Active',
        expires_on: '2027-03-01',
        auto_renew: true,
      })
      .then(([id]) => Number(id));
    const invoiceId = await tp.f.invoice(accountId, { number: 'INV-7001' });
    await tp.knex('quotes').insert({
      account_id: accountId,
      subject: 'Server for clients',
      total_cents: 100,
      valid_until: '2026-12-31',
      stage: 'Delivered',
    });
    await tp.knex('tickets').insert({
      account_id: accountId,
      subject: 'PHP upgrade',
      department: 'Technical',
      status: 'Open',
      message: 'Please',
      opened_by: memberId,
      updated_at: Date.now(),
    });
    await tp.knex('contacts').insert({
      account_id: accountId,
      first_name: 'Carl',
      last_name: 'Accountant',
      email: 'carl@acme.example',
      phone: '',
    });
    ids = { invoiceId, serviceId, domainId };
    member = await tp.login(dev.email);
    owner = await tp.login(alice.email);
    await member.refreshCsrf('/');
    await owner.refreshCsrf('/');
  });
  after(() => tp.close());

  /** Changes the member's stored permissions; the guard reads them again on the next request. */
  async function grant(keys: 'all' | string[]): Promise<void> {
    await tp
      .knex(TABLES.members)
      .where({ account_id: accountId, user_id: memberId })
      .update({ all_permissions: keys === 'all', permissions: JSON.stringify(keys === 'all' ? [] : keys) });
  }
  const url = (path: string) => path.replace(':invoiceId', String(ids.invoiceId));

  for (const page of PAGES) {
    it(`${page.path} needs "${page.key}": allowed with it alone, 403 naming it and the owner without it`, async () => {
      await grant([page.key]);
      const allowed = await member.get(url(page.path));
      assert.equal(allowed.status, 200, `${page.path} with ${page.key}`);
      assert.match(allowed.text, page.shows);

      await grant(CATALOGUE.filter((k) => k !== page.key));
      const denied = await member.get(url(page.path));
      assert.equal(denied.status, 403, `${page.path} without ${page.key}`);
      assert.match(denied.text, /<h1>You do not have permission<\/h1>/);
      assert.match(denied.text, new RegExp(`needs the permission “${page.label}”`));
      assert.match(
        denied.text,
        /The account owner, Alice Archer \(alice\.enf@example\.test\), can change your permissions\./,
      );
      assert.doesNotMatch(denied.text, page.shows, 'nothing of the page leaks');

      const asOwner = await owner.get(url(page.path));
      assert.equal(asOwner.status, 200, 'the owner has every permission');
    });
  }

  it('POST /services/:id/cancel needs "manageproducts"; viewing alone shows no button', async () => {
    await grant(['products']);
    const view = await member.get('/services');
    assert.doesNotMatch(view.text, /Request cancellation/);
    const denied = await member.post(`/services/${ids.serviceId}/cancel`);
    assert.equal(denied.status, 403);
    assert.match(denied.text, /needs the permission “Manage services”/);
    assert.equal((await foundRow(tp, 'services', { id: ids.serviceId })).status, 'Active');

    await grant(['products', 'manageproducts']);
    assert.match((await member.get('/services')).text, /Request cancellation/);
    const allowed = await member.post(`/services/${ids.serviceId}/cancel`);
    assert.equal(allowed.status, 303);
    assert.equal((await foundRow(tp, 'services', { id: ids.serviceId })).status, 'Cancellation Requested');
  });

  it('POST /domains/:id/auto-renew needs "managedomains"', async () => {
    await grant(['domains']);
    assert.doesNotMatch((await member.get('/domains')).text, /Turn auto-renew/);
    const denied = await member.post(`/domains/${ids.domainId}/auto-renew`);
    assert.equal(denied.status, 403);
    assert.match(denied.text, /needs the permission “Manage domains”/);
    assert.equal(Boolean((await foundRow(tp, 'domains', { id: ids.domainId })).auto_renew), true);

    await grant(['domains', 'managedomains']);
    const allowed = await member.post(`/domains/${ids.domainId}/auto-renew`);
    assert.equal(allowed.status, 303);
    assert.equal(Boolean((await foundRow(tp, 'domains', { id: ids.domainId })).auto_renew), false);
  });

  it('form posts inside pages are guarded too (tickets, profile, contacts)', async () => {
    await grant(['products']);
    const ticket = await member.post('/tickets', { subject: 'Sneaky', message: 'Hello' });
    assert.equal(ticket.status, 403);
    const profile = await member.post('/profile', { name: 'Hijacked', email: 'x@example.test' });
    assert.equal(profile.status, 403);
    const contact = await member.post('/contacts', {
      firstName: 'Eve',
      lastName: 'Intruder',
      email: 'eve@example.test',
    });
    assert.equal(contact.status, 403);
    assert.equal(await count(tp, 'tickets', { subject: 'Sneaky' }), 0);
    assert.equal((await foundRow(tp, 'accounts', { id: accountId })).name, 'Acme Web Studio');
    assert.equal(await count(tp, 'contacts', { first_name: 'Eve' }), 0);
  });

  it('the menus show only what the user may open', async () => {
    const nav = async () => {
      const res = await member.get('/');
      assert.equal(res.status, 200);
      const header = res.text.slice(0, res.text.indexOf('<main'));
      return (href: string) => header.includes(`href="${href}"`);
    };
    await grant(['tickets']);
    let has = await nav();
    assert.ok(has('/tickets'));
    for (const href of ['/services', '/domains', '/invoices', '/quotes', '/profile', '/contacts', '/account/users'])
      assert.ok(!has(href), `${href} hidden`);
    let header = (await member.get('/')).text;
    assert.doesNotMatch(header, /<summary>Billing<\/summary>/, 'an empty Billing menu goes away');
    assert.match(header, /<summary>Support<\/summary>/);

    await grant(['invoices', 'profile']);
    has = await nav();
    for (const href of ['/invoices', '/profile']) assert.ok(has(href), `${href} shown`);
    for (const href of ['/quotes', '/tickets', '/services', '/contacts']) assert.ok(!has(href), `${href} hidden`);
    header = (await member.get('/')).text;
    assert.match(header, /<summary>Billing<\/summary>/);
    assert.doesNotMatch(header, /<summary>Support<\/summary>/);

    await grant('all');
    has = await nav();
    for (const href of ['/services', '/domains', '/invoices', '/quotes', '/tickets', '/profile', '/contacts'])
      assert.ok(has(href), `${href} shown with All Permissions`);
    assert.ok(!has('/account/users'), 'All Permissions is not ownership');
    const ownerHome = (await owner.get('/')).text;
    for (const href of [
      '/services',
      '/domains',
      '/invoices',
      '/quotes',
      '/tickets',
      '/profile',
      '/contacts',
      '/account/users',
    ])
      assert.ok(ownerHome.includes(`href="${href}"`), `${href} for the owner`);
  });

  it('the dashboard shows figures only for permitted pages', async () => {
    await grant(['tickets']);
    const home = await member.get('/');
    assert.match(home.text, /open tickets/);
    assert.doesNotMatch(home.text, /unpaid invoices|active services/);
  });
});
