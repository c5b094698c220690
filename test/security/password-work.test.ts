import assert from 'node:assert/strict';
import { oneAtATime } from '../../host/passwords';

/**
 * Password changes hash one at a time per process, so a burst of them cannot take every thread of
 * libuv's pool that sign-ins need (the figure belongs in the benchmark; the rule is checked here).
 */
describe('password work runs one at a time', () => {
  it('never runs two pieces of work at once, and a failing one does not stop the next', async () => {
    const run = oneAtATime();
    let running = 0;
    let most = 0;
    const work = (fail: boolean) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      if (fail) throw new Error('wrong password');
      return 'ok';
    };
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => run(work(i % 3 === 0))));
    assert.equal(most, 1, 'at most one at a time');
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 13);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 7);
  });
});
