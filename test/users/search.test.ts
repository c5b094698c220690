import assert from 'node:assert/strict';
import { backend } from '../helpers/db';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, type DemoLike } from './setup';

/** What User Management's search finds: the start of an e-mail, first or last name, on SQLite and MariaDB alike. */
describe(`User Management search matches the start of e-mail and names (${backend})`, () => {
  let tp: TestPortal;
  let d: DemoLike;
  let alice: Client;
  before(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    const people: Array<[string, string, string]> = [
      ['ann.smith@corp.test', 'Ann', 'Smith'],
      ['joanna@corp.test', 'Joanna', 'Brown'],
      ['jm@corp.test', 'Jürgen', 'Müller'],
      ['lukasz@corp.test', 'Łukasz', 'Øster'],
      ['a_b@corp.test', 'Ten%', 'Off'],
      ['axb@corp.test', 'Ten5', 'Offer'],
    ];
    for (const [email, firstName, lastName] of people)
      await tp.f.member(d.acme.id, (await tp.f.user({ email, firstName, lastName })).id, ['tickets']);
    // Someone else's Ann: never found in Acme.
    await tp.f.member(d.blueFish.id, (await tp.f.user({ firstName: 'Ann', lastName: 'Other' })).id, ['tickets']);
    alice = await tp.login(d.alice.email);
  });
  after(() => tp.close());

  const found = async (q: string) => {
    const res = await alice.get(`/account/users?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, q);
    return [...res.text.matchAll(/<th scope="row"[^>]*>([^<]+)</g)].map((m) => m[1].trim()).sort();
  };

  it('finds by the start of the first name, last name or e-mail; every word must match, in any order', async () => {
    assert.deepEqual(await found('ann'), ['Ann Smith']);
    assert.deepEqual(await found('ann smi'), ['Ann Smith']);
    assert.deepEqual(await found('SMITH ann'), ['Ann Smith']);
    assert.deepEqual(await found('ann.sm'), ['Ann Smith'], 'the e-mail');
    assert.deepEqual(await found('alice'), ['Alice Archer'], 'the owner too');
    assert.deepEqual(await found('ann brown'), []);
  });

  it('does not find a fragment from the middle of a name or an e-mail', async () => {
    for (const q of ['nna', 'mith', 'corp.test', '@corp.test', 'ller']) assert.deepEqual(await found(q), [], q);
  });

  it('ignores case and accents', async () => {
    assert.deepEqual(await found('muller'), ['Jürgen Müller']);
    assert.deepEqual(await found('JURGEN'), ['Jürgen Müller']);
    assert.deepEqual(await found('jürgen MÜLLER'), ['Jürgen Müller']);
    assert.deepEqual(await found('lukasz oster'), ['Łukasz Øster']);
  });

  it('takes LIKE wildcards literally', async () => {
    assert.deepEqual(await found('%'), []);
    assert.deepEqual(await found('_'), []);
    assert.deepEqual(await found('a_b'), ['Ten% Off']);
    assert.deepEqual(await found('ten%'), ['Ten% Off']);
    assert.deepEqual(await found('ten'), ['Ten% Off', 'Ten5 Offer']);
    assert.deepEqual(await found('t*'), []);
  });
});
