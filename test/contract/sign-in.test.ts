import assert from 'node:assert/strict';
import type { UserLoginPayload } from '../../module/index';
import { count, firstRow, foundRow } from '../helpers/db';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { ownerSetup } from '../invites/helpers';
import { bareHost, BareClient, type BareHost } from './bare-host';
import { TABLES } from '../../module/tables';

const sidOf = (res: { headers: Record<string, string | string[]> }) =>
  /portal\.sid=s%3A([^.;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1];

describe('host contract: registering from an invitation signs in through users.signIn', () => {
  describe('in the reference portal', () => {
    let tp: TestPortal;
    beforeEach(async () => {
      tp = await setupPortal();
    });
    afterEach(() => tp.close());

    it("runs the portal's UserLogin hook and its sign-in bookkeeping (new session id, start time)", async () => {
      const { account } = await ownerSetup(tp);
      const link = await tp.f.invite(account.id, { email: 'nina@example.test' });
      const logins: string[] = [];
      const listener = (p: UserLoginPayload) => void logins.push(p.user.email);
      tp.portal.hooks.on('UserLogin', listener);
      try {
        const visitor = tp.anonymous();
        const page = await visitor.get(link.path);
        const sidBefore = sidOf(page);
        assert.ok(sidBefore, 'the invitation page started a session');

        const res = await visitor.post(`${link.path}/register`, {
          firstName: 'Nina',
          lastName: 'Newbie',
          password: 'a-long-password',
          passwordConfirm: 'a-long-password',
        });
        assert.equal(res.status, 303);
        assert.deepEqual(logins, ['nina@example.test']);
        const sidAfter = sidOf(res);
        assert.ok(sidAfter && sidAfter !== sidBefore, 'the sign-in gave the session a new id');
        const row = await firstRow(tp, 'sessions', { sid: sidAfter });
        assert.ok(row, 'the new session is stored');
        const sess = JSON.parse(row.sess) as { startedAt?: number };
        assert.equal(typeof sess.startedAt, 'number', 'the portal noted when the session started');
        assert.equal(await count(tp, 'sessions', { sid: sidBefore }), 0, 'the old session is gone');

        // Signed in and in the account: the portal's pages open.
        const home = await visitor.get('/');
        assert.equal(home.status, 200);
        assert.match(home.text, new RegExp(`class="account-name">${account.name}`));
      } finally {
        tp.portal.hooks.off('UserLogin', listener);
      }
    });
  });

  describe('in a host whose sign-in only writes its session', () => {
    let host: BareHost;
    afterEach(() => host.close());

    it('registers, signs in and enters the account (the user loaded by the host on the next request)', async () => {
      host = await bareHost();
      const owner = await host.user('Olga', 'Owner');
      const accountId = await host.account('Olive Hosting', owner.id);
      const ownerClient = await host.signIn(owner.id);
      assert.equal(
        (
          await ownerClient.post(
            '/account/users/invite',
            { email: 'nina@example.test', access: 'all' },
            '/account/users',
          )
        ).status,
        303,
      );
      const path = /https:\/\/bare\.example\.test(\/account\/invite\/[A-Za-z0-9_-]+)/.exec(host.mails.at(-1)!.text)![1];
      const logins: number[] = [];
      host.hooks.on('UserLogin', (p: UserLoginPayload) => void logins.push(p.user.id));

      const visitor = new BareClient(host.app);
      const res = await visitor.post(
        `${path}/register`,
        { firstName: 'Nina', lastName: 'Newbie', password: 'a-long-password', passwordConfirm: 'a-long-password' },
        path,
      );
      assert.equal(res.status, 303, `register answered ${res.status}`);
      const nina = await foundRow(host, 'users', { email: 'nina@example.test' });
      assert.deepEqual(logins, [Number(nina.id)]);
      assert.ok(await firstRow(host, TABLES.members, { account_id: accountId, user_id: nina.id }));
      const home = await visitor.get(res.headers.location);
      assert.equal(home.status, 200);
      assert.match(home.text, /You now have access to Olive Hosting/);
    });
  });
});
