import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { invite, inviteAndLink, ownerSetup, traces } from './helpers';
import { count, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';
import type { InviteRow } from '../helpers/rows';

const ALL_WITH_KEYS = /You chose All Permissions and also ticked permissions/;

/** The row of a pending invitation by address. */
function inviteRow(tp: TestPortal, email: string): Promise<InviteRow> {
  return foundRow(tp, TABLES.invites, { email });
}

describe('invitations: the access an owner means is the access granted', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  describe('All Permissions sent together with ticked boxes', () => {
    it('the invite form refuses it (422): form again, boxes ticked, message on the field; nothing saved', async () => {
      const { owner } = await ownerSetup(tp);
      const before = await traces(tp);
      const res = await owner.post('/account/users/invite', {
        email: 'new@example.com',
        access: 'all',
        permissions: ['invoices'],
      });
      assert.equal(res.status, 422);
      assert.match(res.text, ALL_WITH_KEYS);
      assert.match(res.text, /<fieldset aria-describedby="invite-permissions-error">/);
      assert.match(res.text, /id="invite-perm-invoices" name="permissions" value="invoices" checked/);
      assert.match(res.text, /value="new@example.com"/);
      assert.deepEqual(await traces(tp), before);
    });

    it("Manage Permissions refuses it (422) with the message and leaves the user's access as it was", async () => {
      const { account, owner } = await ownerSetup(tp);
      const dev = await tp.f.user({ firstName: 'Dana', lastName: 'Developer' });
      await tp.f.member(account.id, dev.id, ['tickets']);
      const res = await owner.post(`/account/users/${dev.id}/permissions`, {
        access: 'all',
        permissions: ['tickets', 'invoices'],
      });
      assert.equal(res.status, 422);
      assert.match(res.text, ALL_WITH_KEYS);
      assert.match(res.text, /aria-describedby="permissions-error"/);
      assert.match(res.text, /id="perm-invoices" name="permissions" value="invoices" checked/);
      const row = await foundRow(tp, TABLES.members, { account_id: account.id, user_id: dev.id });
      assert.ok(!row.all_permissions);
      assert.deepEqual(JSON.parse(row.permissions), ['tickets']);
      assert.equal(await count(tp, TABLES.log, { action: 'permissions_changed' }), 0);
    });
  });

  describe('the confirmation after sending', () => {
    it('names the chosen permissions', async () => {
      const { owner } = await ownerSetup(tp);
      assert.equal((await invite(owner, 'ivy@example.com', ['invoices'])).status, 303);
      assert.match(
        (await owner.get('/account/users')).text,
        /Invitation sent to ivy@example.com with access to: Invoices\./,
      );
    });

    it('says All Permissions when they were chosen', async () => {
      const { owner } = await ownerSetup(tp);
      assert.equal((await invite(owner, 'ivy@example.com')).status, 303);
      assert.match(
        (await owner.get('/account/users')).text,
        /Invitation sent to ivy@example.com with All Permissions\./,
      );
    });
  });

  describe("changing a pending invitation's access", () => {
    it('is offered in the pending list; the change is saved and logged, the link still works, grants it', async () => {
      const { account, owner } = await ownerSetup(tp);
      const link = await inviteAndLink(tp, owner, 'ivy@example.com');
      const mails = await count(tp, 'outbox');
      const row = await inviteRow(tp, 'ivy@example.com');
      const list = await owner.get('/account/users');
      assert.match(
        list.text,
        new RegExp(
          `href="/account/invites/${row.id}/access">Change access` +
            '<span class="au-visually-hidden"> ivy@example.com</span>',
        ),
      );

      const page = await owner.get(`/account/invites/${row.id}/access`);
      assert.equal(page.status, 200);
      assert.match(page.text, /<h1>Change the access of an invitation<\/h1>/);
      assert.match(page.text, /ivy@example.com is invited to Acme Web Studio/);
      assert.match(page.text, /id="access-all" name="access" value="all" checked/);

      const res = await owner.post(`/account/invites/${row.id}/access`, {
        access: 'choose',
        permissions: ['invoices', 'tickets'],
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/account/users');
      const after = await inviteRow(tp, 'ivy@example.com');
      assert.ok(!after.all_permissions);
      assert.deepEqual(JSON.parse(after.permissions), ['invoices', 'tickets']);
      assert.equal(after.token_hash, row.token_hash, 'the link is the same');
      assert.equal(Number(after.expires_at), Number(row.expires_at));
      assert.equal(await count(tp, 'outbox'), mails, 'nothing is sent again');
      const users = (await owner.get('/account/users')).text;
      assert.match(users, /The invitation to ivy@example.com now gives access to: Invoices, Support tickets\./);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_access_changed', account_id: account.id }), 1);
      assert.match(
        (await owner.get('/account/activity')).text,
        /Changed the access of an invitation[\s\S]*From All permissions to Invoices, Support tickets/,
      );

      const ivy = await tp.f.user({ email: 'ivy@example.com' });
      const invitee = await tp.login(ivy.email);
      assert.equal((await invitee.post(`${link.path}/accept`)).status, 303);
      const member = await foundRow(tp, TABLES.members, { account_id: account.id, user_id: ivy.id });
      assert.ok(!member.all_permissions);
      assert.deepEqual(JSON.parse(member.permissions), ['invoices', 'tickets']);
    });

    it('back to All Permissions says so; the same choice again changes and logs nothing', async () => {
      const { owner } = await ownerSetup(tp);
      await invite(owner, 'ivy@example.com', ['tickets']);
      const row = await inviteRow(tp, 'ivy@example.com');
      assert.equal((await owner.post(`/account/invites/${row.id}/access`, { access: 'all' })).status, 303);
      assert.match(
        (await owner.get('/account/users')).text,
        /The invitation to ivy@example.com now gives All Permissions\./,
      );
      assert.ok((await inviteRow(tp, 'ivy@example.com')).all_permissions);
      assert.equal((await owner.post(`/account/invites/${row.id}/access`, { access: 'all' })).status, 303);
      assert.match((await owner.get('/account/users')).text, /already gave this access; nothing changed/);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_access_changed' }), 1);
    });

    it('a bad choice is refused with the form again (422) and changes nothing', async () => {
      const { owner } = await ownerSetup(tp);
      await invite(owner, 'ivy@example.com', ['tickets']);
      const row = await inviteRow(tp, 'ivy@example.com');
      for (const [fields, message] of [
        [{ access: 'all', permissions: ['invoices'] }, ALL_WITH_KEYS],
        [{ access: 'choose' }, /Please choose at least one permission/],
        [{ access: 'choose', permissions: ['nope'] }, /does not exist/],
      ] as const) {
        const res = await owner.post(
          `/account/invites/${row.id}/access`,
          fields as unknown as Record<string, string | string[]>,
        );
        assert.equal(res.status, 422);
        assert.match(res.text, message);
        assert.match(res.text, /<fieldset aria-describedby="invite-access-error">/);
      }
      const after = await inviteRow(tp, 'ivy@example.com');
      assert.ok(!after.all_permissions);
      assert.deepEqual(JSON.parse(after.permissions), ['tickets']);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_access_changed' }), 0);
    });

    it("another account's, an accepted or a cancelled invitation answers 404; a non-owner is refused", async () => {
      const { account, owner } = await ownerSetup(tp);
      const other = await ownerSetup(tp, 'Blue Fish Bakery');
      await invite(other.owner, 'theirs@example.com', ['tickets']);
      const theirs = await inviteRow(tp, 'theirs@example.com');
      assert.equal((await owner.get(`/account/invites/${theirs.id}/access`)).status, 404);
      assert.equal((await owner.post(`/account/invites/${theirs.id}/access`, { access: 'all' })).status, 404);
      assert.ok(!(await inviteRow(tp, 'theirs@example.com')).all_permissions);

      await invite(owner, 'gone@example.com');
      const gone = await inviteRow(tp, 'gone@example.com');
      assert.equal((await owner.post(`/account/invites/${gone.id}/cancel`)).status, 303);
      assert.equal((await owner.get(`/account/invites/${gone.id}/access`)).status, 404);
      assert.equal(
        (await owner.post(`/account/invites/${gone.id}/access`, { access: 'choose', permissions: ['tickets'] })).status,
        404,
      );

      const link = await inviteAndLink(tp, owner, 'ivy@example.com');
      const ivy = await tp.f.user({ email: 'ivy@example.com' });
      const invitee = await tp.login(ivy.email);
      assert.equal((await invitee.post(`${link.path}/accept`)).status, 303);
      const used = await inviteRow(tp, 'ivy@example.com');
      assert.equal(
        (await owner.post(`/account/invites/${used.id}/access`, { access: 'choose', permissions: ['tickets'] })).status,
        404,
      );

      await invite(owner, 'open@example.com');
      const open = await inviteRow(tp, 'open@example.com');
      const member = await tp.login(ivy.email);
      assert.equal((await member.get(`/account/invites/${open.id}/access`)).status, 403);
      assert.equal(
        (await member.post(`/account/invites/${open.id}/access`, { access: 'choose', permissions: ['tickets'] }))
          .status,
        403,
      );
      assert.ok((await inviteRow(tp, 'open@example.com')).all_permissions);
      assert.equal(await count(tp, TABLES.log, { action: 'invite_access_changed', account_id: account.id }), 0);
    });

    it('a form shown for another account changes nothing there', async () => {
      const { owner } = await ownerSetup(tp);
      const other = await ownerSetup(tp, 'Blue Fish Bakery');
      await invite(owner, 'ivy@example.com', ['tickets']);
      const row = await inviteRow(tp, 'ivy@example.com');
      const res = await owner.post(`/account/invites/${row.id}/access`, {
        access: 'all',
        accountId: String(other.account.id),
      });
      assert.notEqual(res.status, 303);
      assert.ok(!(await inviteRow(tp, 'ivy@example.com')).all_permissions);
    });
  });

  describe('User Management', () => {
    it('opens with an "Invite a user" link that jumps to the invite form', async () => {
      const { owner } = await ownerSetup(tp);
      const text = (await owner.get('/account/users')).text;
      const link = text.indexOf('href="#invite">Invite a user</a>');
      assert.ok(link > 0, 'the link is there');
      assert.ok(link < text.indexOf('<table'), 'above the users table');
      assert.match(text, /<section class="au-invite" id="invite" aria-labelledby="invite-title">/);
    });

    it('serves the one script its pages load, from its own path', async () => {
      const { owner } = await ownerSetup(tp);
      const text = (await owner.get('/account/users')).text;
      assert.match(text, /<script src="\/account\/account-users.js" defer><\/script>/);
      const js = await owner.get('/account/account-users.js');
      assert.equal(js.status, 200);
      assert.match(String(js.headers['content-type']), /javascript/);
      assert.match(js.text, /value="choose"/);
    });
  });
});
