import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { inviteAndLink, ownerSetup } from './helpers';
import { count } from '../helpers/db';
import { TABLES } from '../../module/tables';

/** One rule for the user limit: members and pending invitations when inviting or adding, members when accepting. */
describe('the user limit holds at acceptance and for staff additions', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  async function acceptAs(email: string, path: string) {
    await tp.f.user({ email });
    const client = await tp.login(email);
    await client.refreshCsrf(path);
    return { client, res: await client.post(`${path}/accept`) };
  }

  it('accepting over a user limit lowered since the invitation is refused with a page; it stays pending', async () => {
    const { account, owner } = await ownerSetup(tp, 'Acme Web Studio');
    const first = await inviteAndLink(tp, owner, 'first@example.com');
    const second = await inviteAndLink(tp, owner, 'second@example.com');
    await tp.setSettings({ maxUsersPerAccount: 2 });
    assert.equal((await acceptAs('first@example.com', first.path)).res.status, 303);
    const { client, res } = await acceptAs('second@example.com', second.path);
    assert.equal(res.status, 409);
    assert.match(res.text, /This account has no room for another user/);
    assert.match(res.text, /Acme Web Studio already has 2 users, the most it may have/);
    assert.match(res.text, /Please ask the account owner to make room/);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id }), 2);
    assert.equal(
      await count(tp, TABLES.invites, { pending_email: 'second@example.com' }),
      1,
      'the invitation stays pending',
    );
    // Once the owner makes room, the same link works.
    await tp.setSettings({ maxUsersPerAccount: 3 });
    assert.equal((await client.post(`${second.path}/accept`)).status, 303);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id }), 3);
  });

  it('registering from an invitation to a full account makes no login', async () => {
    const { account, owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'newcomer@example.com');
    await tp.setSettings({ maxUsersPerAccount: 1 });
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link.path);
    const res = await visitor.post(`${link.path}/register`, {
      firstName: 'New',
      lastName: 'Comer',
      password: 'long-enough-password',
      passwordConfirm: 'long-enough-password',
    });
    assert.equal(res.status, 409);
    assert.match(res.text, /This account has no room for another user/);
    assert.equal(await count(tp, 'users', { email: 'newcomer@example.com' }), 0);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id }), 1);
    assert.equal(await count(tp, TABLES.invites, { pending_email: 'newcomer@example.com' }), 1);
  });

  it('a staff addition counts pending invitations, as inviting does', async () => {
    const { account } = await ownerSetup(tp);
    const member = await tp.f.user({ email: 'member@example.com' });
    await tp.f.member(account.id, member.id, ['tickets']);
    await tp.f.invite(account.id, { email: 'pending@example.com' });
    await tp.setSettings({ maxUsersPerAccount: 3 });
    const extra = await tp.f.user({ email: 'extra@example.com' });
    const staff = await tp.staffLogin();
    const res = await staff.post(`/admin/modules/account_users/accounts/${account.id}/users`, {
      email: extra.email,
      access: 'all',
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /reached its limit of 3 users/);
    assert.equal(await count(tp, TABLES.members, { account_id: account.id, user_id: extra.id }), 0);
  });
});
