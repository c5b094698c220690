import assert from 'node:assert/strict';
import { retryOnDeadlock } from '../../module/deadlock';
import { Refusal } from '../../module/errors';

/** What mysql2 rejects with when InnoDB picks a deadlock victim or Galera's certification fails a commit. */
const deadlock = () =>
  Object.assign(new Error('Deadlock found when trying to get lock'), {
    code: 'ER_LOCK_DEADLOCK',
    errno: 1213,
  });

describe('retryOnDeadlock', () => {
  it('runs the transaction again after a deadlock and returns what the attempt that went through gave', async () => {
    let calls = 0;
    const result = await retryOnDeadlock(() => {
      calls += 1;
      return calls < 3 ? Promise.reject(deadlock()) : Promise.resolve('saved');
    });
    assert.equal(result, 'saved');
    assert.equal(calls, 3);
  });

  it('after the last attempt refuses as a conflict (a 409 page: nothing was saved), not a database error', async () => {
    let calls = 0;
    const err = await retryOnDeadlock(() => {
      calls += 1;
      return Promise.reject(deadlock());
    }, 3).catch((e: unknown) => e);
    assert.equal(calls, 3);
    assert.ok(err instanceof Refusal);
    assert.equal(err.kind, 'conflict');
    assert.equal(err.messageKey, 'errors.busy');
  });

  it('passes any other error on at once', async () => {
    let calls = 0;
    const other = Object.assign(new Error('duplicate'), { code: 'ER_DUP_ENTRY', errno: 1062 });
    await assert.rejects(
      retryOnDeadlock(() => {
        calls += 1;
        return Promise.reject(other);
      }),
      other,
    );
    assert.equal(calls, 1);
  });
});
