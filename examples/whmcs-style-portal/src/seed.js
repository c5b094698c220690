const { hashPassword } = require('./passwords');

/**
 * Demo data for an empty database (every password is `demo-password`): a company client owned by
 * Carla, an individual client owned by Ivan, a few services and invoices each, and a staff login.
 */
async function seedIfEmpty(knex) {
  if (await knex('tblusers').first('id')) return false;
  const password = await hashPassword('demo-password');
  const now = Date.now();
  // An insert resolves to [id] on SQLite and MySQL alike.
  const user = async (email, first_name, last_name, language) =>
    Number((await knex('tblusers').insert({ email, password, first_name, last_name, language }))[0]);
  const carla = await user('carla@example.com', 'Carla', 'Kent', 'english');
  const ivan = await user('ivan@example.com', 'Ivan', 'Petrov', 'german');
  const client = async (row) =>
    Number((await knex('tblclients').insert({ ...row, status: 'Active', datecreated: now }))[0]);
  const harbour = await client({
    companyname: 'Harbour Hosting Ltd',
    firstname: 'Carla',
    lastname: 'Kent',
    email: 'billing@harbour.example',
    owner_user_id: carla,
  });
  const petrov = await client({
    companyname: '',
    firstname: 'Ivan',
    lastname: 'Petrov',
    email: 'ivan@example.com',
    owner_user_id: ivan,
  });
  await knex('tblhosting').insert([
    { userid: harbour, domain: 'harbour.example', product: 'Business Hosting', nextduedate: '2027-01-15' },
    { userid: harbour, domain: 'shop.harbour.example', product: 'VPS Medium', nextduedate: '2027-02-01' },
    { userid: petrov, domain: 'petrov.example', product: 'Starter Hosting', nextduedate: '2027-03-10' },
  ]);
  await knex('tblinvoices').insert([
    { userid: harbour, date: '2026-11-01', duedate: '2026-11-15', total: 49.9, status: 'Paid' },
    { userid: harbour, date: '2026-12-01', duedate: '2026-12-15', total: 89.9, status: 'Unpaid' },
    { userid: petrov, date: '2026-11-10', duedate: '2026-11-24', total: 9.9, status: 'Paid' },
  ]);
  await knex('tbladmins').insert({
    username: 'admin',
    password,
    firstname: 'Sam',
    lastname: 'Staff',
    email: 'admin@example.com',
  });
  return true;
}

module.exports = { seedIfEmpty };
