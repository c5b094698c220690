import assert from 'node:assert/strict';
import { createApp } from '../../host/app';
import { foundRow, emptyDatabase, sharedKnex } from '../helpers/db';
import { Factories } from '../helpers/factories';
import { Client, setupPortal, testConfig, type TestPortal } from '../helpers/portal';

describe("security: the profile's country and what the error log keeps", () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('takes a country only from ISO 3166 codes: "ßß" and other strings answer 422 with the form, not 500', async () => {
    const alice = await tp.f.user({ email: 'alice@country.test' });
    const account = await tp.f.account({ name: 'Acme', ownerId: alice.id });
    const client = await tp.login(alice.email);
    await client.refreshCsrf('/profile');
    for (const country of ['ßß', 'XX', 'Deutschland', 'd', '12']) {
      const res = await client.post('/profile', { name: 'Acme', email: 'billing@country.test', country });
      assert.equal(res.status, 422, country);
      assert.match(res.text, /Please enter a two-letter country code such as DE, FR or US\./);
    }
    assert.equal(
      (await client.post('/profile', { name: 'Acme', email: 'billing@country.test', country: 'fr' })).status,
      303,
    );
    assert.equal((await foundRow(tp, 'accounts', { id: account.id })).country, 'FR');
  });

  it("a database error is logged with its code, without the statement's values", async () => {
    const errors: string[] = [];
    const logger = {
      info: () => {},
      warn: () => {},
      error: (msg: string, meta?: unknown) => {
        errors.push(`${msg} ${JSON.stringify(meta)}`);
      },
    };
    const { knex } = await sharedKnex();
    await emptyDatabase(knex);
    const portal = await createApp({ knex, config: testConfig(), logger, moduleStateTtlMs: 0 });
    const f = new Factories(knex, portal);
    const alice = await f.user({ email: 'alice@log.test' });
    await f.account({ name: 'Acme', ownerId: alice.id });
    const client = await Client.login(portal.app, alice.email, Factories.PASSWORD);
    await client.refreshCsrf('/contacts');
    // A table gone missing under the running portal: every insert into it fails in the database.
    await knex.schema.renameTable('contacts', 'contacts_away');
    try {
      const res = await client.post('/contacts', {
        firstName: 'Confidential',
        lastName: 'Person',
        email: 'private.person@log.test',
      });
      assert.equal(res.status, 500);
    } finally {
      await knex.schema.renameTable('contacts_away', 'contacts');
      await portal.close();
    }
    const logged = errors.join('\n');
    assert.match(logged, /database error/);
    assert.doesNotMatch(logged, /Confidential|private\.person/);
  });
});
