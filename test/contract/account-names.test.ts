import assert from 'node:assert/strict';
import { isMysql } from '../../host/db';
import { sharedKnex } from '../helpers/db';
import { bareHost, type BareHost } from './bare-host';

/** The account's name as the host computes it: name and city, in each database's own syntax. */
async function nameExpression(): Promise<{ sql: string }> {
  const { knex } = await sharedKnex();
  return { sql: isMysql(knex) ? "CONCAT({a}.name, ' / ', {a}.city)" : "{a}.name || ' / ' || {a}.city" };
}

describe('host contract: account name as an SQL expression, open statuses as a list', () => {
  let host: BareHost;
  afterEach(() => host.close());

  it('shows and searches the computed names; an account in "grace" opens, one in "closed" does not', async () => {
    host = await bareHost({ accountName: await nameExpression(), openStatuses: ['active', 'grace'], activate: false });
    const uma = await host.user('Uma', 'Usher');
    const alpha = await host.account('Alpha', uma.id, { city: 'Berlin', status: 'active' });
    const beta = await host.account('Beta', uma.id, { city: 'Paris', status: 'grace' });
    const gamma = await host.account('Gamma', uma.id, { city: 'Rome', status: 'closed' });
    await host.module.activate();
    const client = await host.signIn(uma.id);

    const chooser = await client.get('/account/switch');
    assert.equal(chooser.status, 200);
    for (const name of ['Alpha / Berlin', 'Beta / Paris', 'Gamma / Rome'])
      assert.ok(chooser.text.includes(name), `the chooser lists ${name}`);
    // Searching reads the expression too: the city is only in the computed name.
    const found = await client.get(`/account/switch?q=${encodeURIComponent('beta / par')}`);
    assert.ok(found.text.includes('Beta / Paris'));
    assert.ok(
      !found.text.includes('Alpha / Berlin') && !found.text.includes('Gamma / Rome'),
      'only the match is listed',
    );

    const grace = await client.post('/account/switch', { accountId: String(beta) }, '/account/switch');
    assert.equal(grace.status, 303, `choosing the account in grace answered ${grace.status}`);
    const users = await client.get('/account/users');
    assert.equal(users.status, 200);
    assert.ok(users.text.includes('Beta / Paris'), 'the page names the account it works in');

    const closed = await client.post('/account/switch', { accountId: String(gamma) }, '/account/switch');
    assert.equal(closed.status, 403);
    assert.match(closed.text, /That account is not available to you\./);
    // Still in the account in grace.
    assert.equal((await client.get('/account/users')).status, 200);
    const active = await client.post('/account/switch', { accountId: String(alpha) }, '/account/switch');
    assert.equal(active.status, 303);
  });
});
