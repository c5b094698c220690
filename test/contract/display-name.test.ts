import assert from 'node:assert/strict';
import { TABLES } from '../../module/tables';
import { bareHost, type BareHost } from './bare-host';

/**
 * The host names people its own way; the module uses that name on every page it renders (staff
 * pages, the activity log, the refusal page), never a formula of its own.
 */
describe('host contract: users.displayName names people on every page of the module', () => {
  let host: BareHost;
  afterEach(() => host.close());

  it("staff pages, the owner's activity log and the refusal page show the host's name for each person", async () => {
    host = await bareHost({ displayName: (u) => `${u.lastName.toUpperCase()}, ${u.firstName} [host]` });
    const owner = await host.user('Olga', 'Owner');
    const member = await host.user('Max', 'Member');
    const accountId = await host.account('Olive Hosting', owner.id);
    await host.module.activate();
    await host.member(accountId, member.id, ['tickets'], owner.id);
    const ownerName = 'OWNER, Olga [host]';
    const memberName = 'MEMBER, Max [host]';

    // The owner changes Max's access: the log names the target by the host's formula.
    const ownerClient = await host.signIn(owner.id);
    assert.equal(
      (
        await ownerClient.post(
          `/account/users/${member.id}/permissions`,
          { access: 'choose', permissions: ['tickets', 'invoices'] },
          '/account/users',
        )
      ).status,
      303,
    );
    const activity = await ownerClient.get('/account/activity');
    assert.equal(activity.status, 200);
    // In the log's table cell (the flash above it names Max too, from the host's name of the request).
    assert.ok(activity.text.includes(`>${memberName}</td>`), 'the activity log names the member as the host does');
    assert.ok(activity.text.includes(`>${ownerName}</td>`), 'and the owner, from the activation entry');

    // Staff pages: the account, the user, the user's log, Make Owner.
    const staff = await host.signInAdmin(await host.admin());
    const pages = {
      account: `/admin/account-users/accounts/${accountId}`,
      user: `/admin/account-users/users/${member.id}`,
      userLog: `/admin/account-users/users/${member.id}/log`,
      makeOwner: `/admin/account-users/accounts/${accountId}/users/${member.id}/owner`,
    };
    for (const [what, path] of Object.entries(pages)) {
      const res = await staff.get(path);
      assert.equal(res.status, 200, `${what}: ${path}`);
      assert.ok(res.text.includes(memberName.replace('&', '&amp;')), `${what} names the member as the host does`);
    }
    const account = await staff.get(pages.account);
    assert.ok(account.text.includes(ownerName), 'the account page names the owner as the host does');
    assert.ok(
      (await staff.get(pages.makeOwner)).text.includes(ownerName),
      'Make Owner names the current owner as the host does',
    );

    // Max without Quotes: the refusal page names the owner to ask.
    await host
      .knex(TABLES.members)
      .where({ account_id: accountId, user_id: member.id })
      .update({ permissions: '["tickets"]' });
    const memberClient = await host.signIn(member.id);
    const denied = await memberClient.get('/invoices');
    assert.equal(denied.status, 403);
    assert.ok(
      denied.text.includes(ownerName) || JSON.stringify(host.pages.at(-1)).includes(ownerName),
      'the refusal names the owner as the host does',
    );
  });
});
