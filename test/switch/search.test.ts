import assert from 'node:assert/strict';
import { backend } from '../helpers/db';
import { isMysql } from '../../host/db';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { listedAccounts, unescapeHtml } from './helpers';
import { readSearchCharsets } from '../../module/text-search';

const NAMES = [
  'Müller GmbH',
  'MÜLLER & SÖHNE',
  'Mueller Bau',
  'Łódź Web Studio',
  'Crème Brûlée Café',
  'Blue Fish Bakery',
  '50% Off [Outlet]',
  'Søren Design',
  'Москва Хостинг',
];

/** Switch Account's search ignores case and accents, in the database, on SQLite and MySQL/MariaDB alike. */
describe(`Switch Account search ignores case and accents (${backend})`, () => {
  let tp: TestPortal;
  let client: Client;
  before(async () => {
    tp = await setupPortal();
    const user = await tp.f.user({ email: 'agency@example.test' });
    for (const name of NAMES) await tp.f.member((await tp.f.account({ name })).id, user.id, 'all');
    // Someone else's Müller: never found by this user.
    await tp.f.account({ name: 'Müller Fremd' });
    client = await tp.login(user.email);
  });
  after(() => tp.close());

  const found = async (q: string) => {
    const res = await client.get(`/account/switch?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, q);
    return listedAccounts(res.text).map(unescapeHtml).sort();
  };

  it('"Muller" finds "Müller", and "muller" finds "MÜLLER"', async () => {
    assert.deepEqual(await found('Muller'), ['MÜLLER & SÖHNE', 'Müller GmbH']);
    assert.deepEqual(await found('muller'), ['MÜLLER & SÖHNE', 'Müller GmbH']);
    assert.deepEqual(await found('MÜLLER'), ['MÜLLER & SÖHNE', 'Müller GmbH']);
    assert.deepEqual(await found('müller gmbh'), ['Müller GmbH']);
    // "ue" is another spelling, not the same letters: Mueller is found by what it is written with.
    assert.deepEqual(await found('mueller'), ['Mueller Bau']);
  });

  it('folds accents in both directions and letters without a decomposition (Ł, ø)', async () => {
    assert.deepEqual(await found('lodz'), ['Łódź Web Studio']);
    assert.deepEqual(await found('ŁÓDŹ'), ['Łódź Web Studio']);
    assert.deepEqual(await found('creme brulee'), ['Crème Brûlée Café']);
    assert.deepEqual(await found('CREME BRULEE CAFE'), ['Crème Brûlée Café']);
    assert.deepEqual(await found('soren'), ['Søren Design']);
  });

  it('matches the start of the name only, the words in their order', async () => {
    assert.deepEqual(await found('blue   fish b'), ['Blue Fish Bakery'], 'runs of spaces count as one');
    assert.deepEqual(await found('muller &'), ['MÜLLER & SÖHNE']);
    for (const q of ['bakery', 'fish', 'ller', 'cafe', 'söhne muller', 'fish blue'])
      assert.deepEqual(await found(q), [], q);
  });

  it('ignores case beyond ASCII, and takes wildcard characters literally', async () => {
    assert.deepEqual(await found('москва'), ['Москва Хостинг']);
    assert.deepEqual(await found('50%'), ['50% Off [Outlet]']);
    assert.deepEqual(await found('50% off [out'), ['50% Off [Outlet]']);
    assert.deepEqual(await found('5_%'), []);
    assert.deepEqual(await found('%'), []);
    assert.deepEqual(await found('_'), []);
    assert.deepEqual(await found('*'), []);
    assert.deepEqual(await found('?'), []);
    assert.deepEqual(await found('[outlet]'), []);
    assert.deepEqual(await found('m*r'), []);
    assert.deepEqual(await found('m?ller'), []);
  });

  it('counts the matches in the database, as it lists them', async () => {
    const res = await client.get('/account/switch?q=MULLER');
    assert.match(res.text, /2 accounts match “MULLER”/);
    assert.match((await client.get('/account/switch?q=blue')).text, /1 account matches “blue”/);
  });

  if (backend === 'mysql') {
    it("folds as the host's name column compares: its collation decides, so its index serves the search", async () => {
      const knex = tp.knex;
      assert.ok(isMysql(knex));
      const collate = (collation: string) =>
        knex.raw(`ALTER TABLE accounts MODIFY name VARCHAR(150) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`);
      try {
        // MariaDB's default collation folds case and the common accents, not Ł.
        await collate('utf8mb4_general_ci');
        assert.deepEqual(await found('muller'), ['MÜLLER & SÖHNE', 'Müller GmbH']);
        assert.deepEqual(await found('lodz'), []);
        // A binary collation compares exactly.
        await collate('utf8mb4_bin');
        assert.deepEqual(await found('muller'), []);
        assert.deepEqual(await found('Müller'), ['Müller GmbH']);
      } finally {
        await collate('utf8mb4_unicode_520_ci');
      }
    });

    it('answers and folds when the name column is utf8mb3 (WHMCS, often) and a word is not ASCII', async () => {
      const knex = tp.knex;
      const schema = {
        users: { table: 'users', id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' },
        accounts: { table: 'accounts', id: 'id', name: 'name', status: 'status', openStatuses: ['active'] },
      };
      try {
        await knex.raw(
          'ALTER TABLE accounts MODIFY name VARCHAR(150) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci NOT NULL',
        );
        await readSearchCharsets(knex, schema);
        // A 4-byte character cannot be compared with utf8mb3 text as such ("Illegal mix of collations").
        assert.deepEqual(await found('😀'), []);
        assert.deepEqual(await found('müller'), ['MÜLLER & SÖHNE', 'Müller GmbH']);
        assert.deepEqual(await found('москва'), ['Москва Хостинг']);
        // An ASCII word keeps the column's own collation (and its index): utf8mb3_general_ci does not fold Ł.
        assert.deepEqual(await found('lodz'), []);
      } finally {
        await knex.raw(
          'ALTER TABLE accounts MODIFY name VARCHAR(150) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL',
        );
        await readSearchCharsets(knex, schema);
      }
    });
  }
});
