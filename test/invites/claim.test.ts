import assert from 'node:assert/strict';
import { InvitesRepo } from '../../module/invites/repo';
import { newToken } from '../../module/invites/token';
import { TABLES } from '../../module/tables';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { demoLike, type DemoLike } from '../users/setup';
import { foundRow } from '../helpers/db';

/**
 * The claim is the one statement that decides who gets an invitation. These tests call it
 * directly, without timing, so each of its conditions is proven on SQLite (one connection, races
 * never overlap) as well as on MariaDB.
 */
describe('invitation claim: each condition of the one statement that hands an invitation out', () => {
  const HOUR = 3_600_000;
  let tp: TestPortal;
  let d: DemoLike;
  let repo: InvitesRepo;
  let now: number;
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    repo = new InvitesRepo(tp.knex);
    now = Date.now();
  });
  afterEach(() => tp.close());

  const invite = () =>
    tp.f.invite(d.acme.id, { email: 'new@example.test', invitedBy: d.alice.id, createdAt: now, expiresAt: now + HOUR });
  const row = (id: number) => foundRow(tp, TABLES.invites, { id });

  it('a pending, unexpired invitation with its current hash is claimed once; a second claim fails', async () => {
    const { id, hash } = await invite();
    assert.equal(await repo.claim(tp.knex, id, hash, d.bob.id, now), true);
    const claimed = await row(id);
    assert.equal(Number(claimed.accepted_by), d.bob.id);
    assert.equal(claimed.pending_email, null);
    assert.equal(await repo.claim(tp.knex, id, hash, d.dev.id, now), false, 'the second claim');
    assert.equal(Number((await row(id)).accepted_by), d.bob.id, 'the first claimant keeps it');
  });

  it('an old hash (the link before a resend) claims nothing', async () => {
    const { id, hash: oldHash } = await invite();
    const { hash: newHash } = newToken();
    await tp.knex(TABLES.invites).where({ id }).update({ token_hash: newHash });
    assert.equal(await repo.claim(tp.knex, id, oldHash, d.bob.id, now), false);
    assert.equal((await row(id)).accepted_at, null);
    assert.equal(await repo.claim(tp.knex, id, newHash, d.bob.id, now), true, 'the current link still works');
  });

  it('at or after the expiry moment the claim fails; a moment before it succeeds', async () => {
    const { id, hash } = await invite();
    assert.equal(await repo.claim(tp.knex, id, hash, d.bob.id, now + HOUR), false, 'exactly at the expiry');
    assert.equal(await repo.claim(tp.knex, id, hash, d.bob.id, now + HOUR + 1), false, 'after it');
    assert.equal((await row(id)).accepted_at, null);
    assert.equal(await repo.claim(tp.knex, id, hash, d.bob.id, now + HOUR - 1), true, 'just before it');
  });

  it('a cancelled invitation claims nothing', async () => {
    const { id, hash } = await invite();
    await tp.knex(TABLES.invites).where({ id }).update({ cancelled_at: now, pending_email: null });
    assert.equal(await repo.claim(tp.knex, id, hash, d.bob.id, now), false);
    await tp.knex(TABLES.invites).where({ id }).update({ pending_email: 'new@example.test' });
    assert.equal(
      await repo.claim(tp.knex, id, hash, d.bob.id, now),
      false,
      'cancelled, even with the address still set',
    );
  });

  it('two claims in two open transactions: exactly one wins', async () => {
    const { id, hash } = await invite();
    const attempt = (userId: number) => tp.knex.transaction((trx) => repo.claim(trx, id, hash, userId, now));
    const results = await Promise.all([attempt(d.bob.id), attempt(d.dev.id)]);
    assert.deepEqual(results.filter(Boolean).length, 1, `results ${JSON.stringify(results)}`);
    const winner = results[0] ? d.bob.id : d.dev.id;
    assert.equal(Number((await row(id)).accepted_by), winner);
  });
});
