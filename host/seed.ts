import type { Knex } from 'knex';
import type { Portal } from './app';
import { hashPassword } from './passwords';

export const DEMO_PASSWORD = 'demo-password';

export const DEMO_LOGINS = [
  { email: 'admin@example.com', what: 'admin area (/admin)' },
  { email: 'alice@example.com', what: 'owner of Acme Web Studio' },
  { email: 'bob@example.com', what: 'owner of Blue Fish Bakery' },
  { email: 'dev@example.com', what: 'user of both: all permissions in Acme; products and tickets in Blue Fish' },
];

/** True when the portal has no users yet, i.e. a fresh database. */
export async function isEmpty(knex: Knex): Promise<boolean> {
  const row = (await knex('users').count({ n: '*' }).first()) as { n: number | string };
  return Number(row.n) === 0;
}

/** The demo data of the design, seeded into an empty database; the module is activated on it. */
export async function seedDemo(portal: Portal, knex: Knex): Promise<void> {
  const hash = await hashPassword(DEMO_PASSWORD);
  const now = Date.now();
  await knex('admins').insert({ email: 'admin@example.com', password_hash: hash, name: 'Ada Admin' });
  const user = async (email: string, first: string, last: string) =>
    Number(
      (
        await knex('users').insert({
          email,
          password_hash: hash,
          first_name: first,
          last_name: last,
          locale: null,
          created_at: now,
        })
      )[0],
    );
  const alice = await user('alice@example.com', 'Alice', 'Archer');
  const bob = await user('bob@example.com', 'Bob', 'Baker');
  const dev = await user('dev@example.com', 'Dana', 'Developer');

  const account = async (name: string, email: string, city: string, primary: number) =>
    Number(
      (
        await knex('accounts').insert({
          name,
          email,
          address: '1 Main Street',
          city,
          postcode: '10115',
          country: 'DE',
          phone: '+49 30 1234567',
          status: 'active',
          primary_user_id: primary,
          created_at: now,
        })
      )[0],
    );
  const acme = await account('Acme Web Studio', 'billing@acme.example', 'Berlin', alice);
  const blueFish = await account('Blue Fish Bakery', 'hello@bluefish.example', 'Hamburg', bob);

  await knex('services').insert([
    {
      account_id: acme,
      product: 'Business Hosting',
      domain: 'acme.example',
      status: 'Active',
      amount_cents: 1999,
      billing_cycle: 'Monthly',
      next_due_date: '2026-12-15',
    },
    {
      account_id: acme,
      product: 'VPS Medium',
      domain: 'build.acme.example',
      status: 'Active',
      amount_cents: 4900,
      billing_cycle: 'Monthly',
      next_due_date: '2026-12-03',
    },
    {
      account_id: acme,
      product: 'SSL Certificate',
      domain: 'shop.acme.example',
      status: 'Active',
      amount_cents: 7900,
      billing_cycle: 'Annually',
      next_due_date: '2027-05-20',
    },
    {
      account_id: blueFish,
      product: 'Starter Hosting',
      domain: 'bluefish.example',
      status: 'Active',
      amount_cents: 599,
      billing_cycle: 'Monthly',
      next_due_date: '2026-12-09',
    },
    {
      account_id: blueFish,
      product: 'E-mail Pro',
      domain: 'bluefish.example',
      status: 'Active',
      amount_cents: 299,
      billing_cycle: 'Monthly',
      next_due_date: '2026-12-09',
    },
  ]);
  await knex('domains').insert([
    { account_id: acme, name: 'acme.example', status: 'Active', expires_on: '2027-03-01', auto_renew: true },
    { account_id: acme, name: 'acme-studio.example', status: 'Active', expires_on: '2027-08-14', auto_renew: false },
    { account_id: blueFish, name: 'bluefish.example', status: 'Active', expires_on: '2027-01-22', auto_renew: true },
  ]);
  await knex('invoices').insert([
    {
      account_id: acme,
      number: 'INV-1001',
      issued_on: '2026-10-01',
      due_on: '2026-10-15',
      total_cents: 6899,
      status: 'Paid',
    },
    {
      account_id: acme,
      number: 'INV-1042',
      issued_on: '2026-11-01',
      due_on: '2026-11-15',
      total_cents: 6899,
      status: 'Paid',
    },
    {
      account_id: acme,
      number: 'INV-1088',
      issued_on: '2026-11-20',
      due_on: '2026-12-04',
      total_cents: 14799,
      status: 'Unpaid',
    },
    {
      account_id: blueFish,
      number: 'INV-1010',
      issued_on: '2026-11-09',
      due_on: '2026-11-23',
      total_cents: 898,
      status: 'Paid',
    },
    {
      account_id: blueFish,
      number: 'INV-1095',
      issued_on: '2026-11-25',
      due_on: '2026-12-09',
      total_cents: 898,
      status: 'Unpaid',
    },
  ]);
  await knex('quotes').insert([
    {
      account_id: acme,
      subject: 'Dedicated server for agency clients',
      total_cents: 129900,
      valid_until: '2026-12-31',
      stage: 'Delivered',
    },
    {
      account_id: blueFish,
      subject: 'Online shop add-on',
      total_cents: 24900,
      valid_until: '2026-12-20',
      stage: 'Draft',
    },
  ]);
  await knex('tickets').insert([
    {
      account_id: acme,
      subject: 'PHP 8.3 on the VPS',
      department: 'Technical',
      status: 'Open',
      message: 'Could you enable PHP 8.3 on build.acme.example?',
      opened_by: dev,
      updated_at: now - 3600_000,
    },
    {
      account_id: acme,
      subject: 'Invoice address change',
      department: 'Billing',
      status: 'Closed',
      message: 'Please use our new street address.',
      opened_by: alice,
      updated_at: now - 86400_000 * 5,
    },
    {
      account_id: blueFish,
      subject: 'Mailbox quota',
      department: 'Technical',
      status: 'Open',
      message: 'The orders@ mailbox is nearly full.',
      opened_by: bob,
      updated_at: now - 7200_000,
    },
  ]);
  await knex('contacts').insert([
    { account_id: acme, first_name: 'Carl', last_name: 'Accountant', email: 'carl@acme.example', phone: '' },
    { account_id: blueFish, first_name: 'Bea', last_name: 'Bookkeeper', email: 'bea@bluefish.example', phone: '' },
  ]);

  await portal.accountUsers.activate();
  await portal.registry.save({ active: true, version: portal.accountUsers.manifest.version });
  const { members } = portal.accountUsers.services;
  const system = { type: 'system' as const, id: null, name: 'demo data' };
  await members.add(system, { accountId: acme, userId: dev, choice: { all: true, keys: [] }, invitedBy: alice });
  await members.add(system, {
    accountId: blueFish,
    userId: dev,
    choice: { all: false, keys: ['products', 'tickets'] },
    invitedBy: bob,
  });
}
