import assert from 'node:assert/strict';
import type { Client } from '../helpers/portal';
import { buildWorld, login, loginTo, mainText, type World } from './fixture';
import { unchangedBy } from './snapshot';
import { TABLES } from '../../module/tables';
import { allRows, firstRow, foundRow } from '../helpers/db';

/**
 * Access control, function and data level: every route with ids of another account, and every
 * owner-only action by a member. Each case asserts the refusal and an unchanged database.
 */
describe('security: access control across accounts', () => {
  let w: World;
  let attacker: Client; // owner of Mallory Ltd, working in it
  let member: Client; // the same person working in Acme, where they may only see tickets
  before(async () => {
    w = await buildWorld();
    attacker = await loginTo(w.tp, w.mallory.email, w.malloryLtd.id);
    member = await loginTo(w.tp, w.mallory.email, w.acme.id);
  });
  after(() => w.tp.close());

  const notFoundText = async (c: Client, path: string) => mainText((await c.get(path)).text);

  describe('ids of another account answer 404 exactly like ids that do not exist (IDOR)', () => {
    const cases: Array<[string, 'get' | 'post', (w: World) => string, (w: World) => string]> = [
      [
        'Manage Permissions page of a user of Acme',
        'get',
        (x) => `/account/users/${x.dev.id}/permissions`,
        () => '/account/users/999999/permissions',
      ],
      [
        'saving permissions of a user of Acme',
        'post',
        (x) => `/account/users/${x.dev.id}/permissions`,
        () => '/account/users/999999/permissions',
      ],
      [
        'Remove Access confirmation of a user of Acme',
        'get',
        (x) => `/account/users/${x.dev.id}/remove`,
        () => '/account/users/999999/remove',
      ],
      [
        'removing a user of Acme',
        'post',
        (x) => `/account/users/${x.dev.id}/remove`,
        () => '/account/users/999999/remove',
      ],
      [
        'removing the owner of Blue Fish',
        'post',
        (x) => `/account/users/${x.bob.id}/remove`,
        () => '/account/users/999999/remove',
      ],
      [
        'resending an invitation of Acme',
        'post',
        (x) => `/account/invites/${x.acmeInviteId}/resend`,
        () => '/account/invites/999999/resend',
      ],
      [
        'the cancel confirmation of an invitation of Blue Fish',
        'get',
        (x) => `/account/invites/${x.blueInviteId}/cancel`,
        () => '/account/invites/999999/cancel',
      ],
      [
        'cancelling an invitation of Acme',
        'post',
        (x) => `/account/invites/${x.acmeInviteId}/cancel`,
        () => '/account/invites/999999/cancel',
      ],
    ];
    for (const [name, method, path, missing] of cases) {
      it(`refuses ${name}`, async () => {
        await unchangedBy(w.tp.knex, async () => {
          const res = method === 'get' ? await attacker.get(path(w)) : await attacker.post(path(w), { access: 'all' });
          assert.equal(res.status, 404);
          const other =
            method === 'get' ? await attacker.get(missing(w)) : await attacker.post(missing(w), { access: 'all' });
          assert.equal(other.status, 404);
          assert.equal(mainText(res.text), mainText(other.text), 'the same page as for an id that does not exist');
        });
      });
    }

    it('refuses an invoice, a service cancellation and a domain change of Acme from another account', async () => {
      await unchangedBy(w.tp.knex, async () => {
        assert.equal((await attacker.get(`/invoices/${w.acmeInvoice}`)).status, 404);
        assert.equal((await attacker.post(`/services/${w.acmeService}/cancel`)).status, 404);
        assert.equal((await attacker.post(`/domains/${w.acmeDomain}/auto-renew`)).status, 404);
        assert.equal(
          await notFoundText(attacker, `/invoices/${w.acmeInvoice}`),
          await notFoundText(attacker, '/invoices/999999'),
        );
      });
    });

    it('does not switch into an account the user is not a member of, and the session stays where it was', async () => {
      await unchangedBy(w.tp.knex, async () => {
        const res = await attacker.post('/account/switch', { accountId: String(w.blueFish.id) });
        assert.equal(res.status, 403);
        assert.doesNotMatch(res.text, /Blue Fish Bakery/);
        const home = await attacker.get('/');
        assert.match(home.text, /Mallory Ltd/);
      });
    });
  });

  describe('owner-only functions refused to a member (function level)', () => {
    const pages: Array<[string, string]> = [
      ['User Management', '/account/users'],
      ['the activity log', '/account/activity'],
      ['Manage Permissions of another member', '/account/users/:dev/permissions'],
      ['the cancel confirmation of an invitation', '/account/invites/:invite/cancel'],
    ];
    const fill = (p: string) => p.replace(':dev', String(w.dev.id)).replace(':invite', String(w.acmeInviteId));
    for (const [name, path] of pages) {
      it(`refuses ${name} with 403`, async () => {
        await unchangedBy(w.tp.knex, async () => {
          const res = await member.get(fill(path));
          assert.equal(res.status, 403);
          assert.doesNotMatch(
            res.text,
            /dev@victim\.test|pat@victim\.test/,
            'no data of the account leaks on the refusal',
          );
        });
      });
    }

    const posts: Array<[string, string, Record<string, string | string[]>]> = [
      ['inviting a user', '/account/users/invite', { email: 'new@attacker.test', access: 'all' }],
      ['raising their own permissions to All Permissions', '/account/users/:self/permissions', { access: 'all' }],
      [
        'granting permissions to another member',
        '/account/users/:dev/permissions',
        { access: 'choose', permissions: ['invoices'] },
      ],
      ['removing another member', '/account/users/:dev/remove', {}],
      ['removing the owner', '/account/users/:owner/remove', {}],
      ['resending an invitation', '/account/invites/:invite/resend', {}],
      ['cancelling an invitation', '/account/invites/:invite/cancel', {}],
    ];
    const fillPost = (p: string) =>
      p
        .replace(':self', String(w.mallory.id))
        .replace(':dev', String(w.dev.id))
        .replace(':owner', String(w.alice.id))
        .replace(':invite', String(w.acmeInviteId));
    for (const [name, path, fields] of posts) {
      it(`refuses ${name} with 403`, async () => {
        await unchangedBy(w.tp.knex, async () => {
          const res = await member.post(fillPost(path), fields);
          assert.equal(res.status, 403);
        });
      });
    }

    it('refuses host pages and actions the member lacks the permission for', async () => {
      await unchangedBy(w.tp.knex, async () => {
        assert.equal((await member.get('/invoices')).status, 403);
        assert.equal((await member.get(`/invoices/${w.acmeInvoice}`)).status, 403);
        assert.equal((await member.post(`/services/${w.acmeService}/cancel`)).status, 403);
        assert.equal((await member.post(`/domains/${w.acmeDomain}/auto-renew`)).status, 403);
        assert.equal((await member.post('/profile', { name: 'Taken over', email: 'x@attacker.test' })).status, 403);
        assert.equal(
          (await member.post('/contacts', { firstName: 'A', lastName: 'B', email: 'a@attacker.test' })).status,
          403,
        );
      });
    });

    it('refuses the owner removing or narrowing themselves', async () => {
      const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
      await unchangedBy(w.tp.knex, async () => {
        assert.equal((await owner.post(`/account/users/${w.alice.id}/remove`)).status, 403);
        assert.equal(
          (await owner.post(`/account/users/${w.alice.id}/permissions`, { access: 'choose', permissions: ['tickets'] }))
            .status,
          403,
        );
        assert.equal((await owner.post('/account/leave')).status, 403);
      });
    });

    it('keeps the module admin pages and the Modules page from client users, even signed in', async () => {
      const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
      await unchangedBy(w.tp.knex, async () => {
        for (const path of ['/admin', '/admin/modules', '/admin/outbox', '/admin/modules/account_users']) {
          const res = await owner.get(path);
          assert.equal(res.status, 302, path);
          assert.match(String(res.headers.location), /^\/admin\/login/);
        }
        for (const [path, fields] of [
          ['/admin/modules/lifecycle', { action: 'uninstall' }],
          ['/admin/modules/account_users/settings', { inviteLifetimeDays: '999' }],
        ] as const) {
          const res = await owner.post(path, fields);
          assert.equal(res.status, 302, path);
        }
      });
    });
  });

  describe('mass assignment: only the fields a form has are read', () => {
    it('ignores owner flags, account ids and user ids in a permissions form', async () => {
      const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
      const before = await foundRow(w.tp, TABLES.members, { account_id: w.acme.id, user_id: w.dev.id });
      const res = await owner.post(`/account/users/${w.dev.id}/permissions`, {
        access: 'choose',
        permissions: ['tickets'],
        is_owner: '1',
        isOwner: 'true',
        account_id: String(w.blueFish.id),
        user_id: String(w.bob.id),
        all_permissions: '1',
      });
      assert.equal(res.status, 303);
      const after = await foundRow(w.tp, TABLES.members, { account_id: w.acme.id, user_id: w.dev.id });
      assert.equal(after.is_owner, null);
      assert.ok(!after.all_permissions);
      assert.deepEqual(JSON.parse(after.permissions), ['tickets']);
      assert.equal(after.id, before.id);
      const owners = await allRows(w.tp, TABLES.members, { account_id: w.acme.id, is_owner: true });
      assert.deepEqual(
        owners.map((o) => Number(o.user_id)),
        [w.alice.id],
      );
      assert.equal(await firstRow(w.tp, TABLES.members, { account_id: w.blueFish.id, user_id: w.dev.id }), undefined);
      // Put it back for the other cases.
      await owner.post(`/account/users/${w.dev.id}/permissions`, { access: 'all' });
    });

    it("creates an invitation in the session's account whatever account id or owner flag the form adds", async () => {
      const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
      const res = await owner.post('/account/users/invite', {
        email: 'mass@victim.test',
        access: 'all',
        account_id: String(w.blueFish.id),
        is_owner: '1',
        invited_by: String(w.bob.id),
      });
      assert.equal(res.status, 303);
      const row = await foundRow(w.tp, TABLES.invites, { email: 'mass@victim.test' });
      assert.equal(Number(row.account_id), w.acme.id);
      assert.equal(Number(row.invited_by), w.alice.id);
      assert.equal((await owner.post(`/account/invites/${row.id}/cancel`)).status, 303);
    });

    it('refuses permission keys outside the catalogue and leaves the member as they were', async () => {
      const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
      await unchangedBy(w.tp.knex, async () => {
        const res = await owner.post(`/account/users/${w.dev.id}/permissions`, {
          access: 'choose',
          permissions: ['admin', 'owner'],
        });
        assert.equal(res.status, 422);
      });
    });

    it('refuses an invitation with unknown access or keys and writes nothing', async () => {
      const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
      await unchangedBy(w.tp.knex, async () => {
        assert.equal(
          (await owner.post('/account/users/invite', { email: 'x@victim.test', access: 'owner' })).status,
          422,
        );
        assert.equal(
          (
            await owner.post('/account/users/invite', {
              email: 'x@victim.test',
              access: 'choose',
              permissions: ['superuser'],
            })
          ).status,
          422,
        );
      });
    });
  });

  it('a member who was removed is refused at the next request, in every session', async () => {
    const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
    const victim = await loginTo(w.tp, w.dev.email, w.acme.id);
    const second = await loginTo(w.tp, w.dev.email, w.acme.id);
    assert.equal((await victim.get('/invoices')).status, 200);
    assert.equal((await owner.post(`/account/users/${w.dev.id}/remove`)).status, 303);
    await unchangedBy(w.tp.knex, async () => {
      for (const c of [victim, second]) {
        const res = await c.get('/invoices');
        assert.equal(res.status, 302);
        assert.match(String(res.headers.location), /^\/account\/switch/);
        assert.doesNotMatch((await c.get(`/invoices/${w.acmeInvoice}`)).text, /INV-ACME-1/);
      }
    });
    await w.tp.f.member(w.acme.id, w.dev.id, 'all');
  });

  it('a narrowed permission takes effect at the next request', async () => {
    const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
    const user = await loginTo(w.tp, w.dev.email, w.acme.id);
    assert.equal((await user.get('/invoices')).status, 200);
    assert.equal(
      (await owner.post(`/account/users/${w.dev.id}/permissions`, { access: 'choose', permissions: ['tickets'] }))
        .status,
      303,
    );
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await user.get('/invoices')).status, 403);
    });
    await owner.post(`/account/users/${w.dev.id}/permissions`, { access: 'all' });
  });

  it('a signed-out visitor reaches no account page and no action', async () => {
    const anon = w.tp.anonymous();
    await anon.refreshCsrf('/login');
    await unchangedBy(w.tp.knex, async () => {
      for (const path of [
        '/',
        '/invoices',
        '/account/users',
        '/account/activity',
        `/account/users/${w.dev.id}/permissions`,
        '/account/switch',
        '/account/leave',
      ]) {
        const res = await anon.get(path);
        assert.equal(res.status, 302, path);
        assert.match(String(res.headers.location), /^\/login\?returnTo=/);
      }
      for (const path of [
        '/account/users/invite',
        `/account/users/${w.dev.id}/remove`,
        '/account/leave',
        '/tickets',
        '/account/switch',
      ]) {
        const res = await anon.post(path, {
          email: 'x@attacker.test',
          access: 'all',
          subject: 's',
          message: 'm',
          accountId: String(w.acme.id),
        });
        // The module checks an account form's token first (a signed-out visitor holds none); the
        // portal and the chooser send to the sign-in.
        assert.equal(res.status, path.startsWith('/account/') && path !== '/account/switch' ? 403 : 302, path);
      }
    });
  });

  it('a user with no membership in an account cannot reach it through a stale session value', async () => {
    const client = await login(w.tp, w.sam.email);
    await unchangedBy(w.tp.knex, async () => {
      const res = await client.post('/account/switch', { accountId: String(w.acme.id) });
      assert.equal(res.status, 403);
      assert.doesNotMatch((await client.get('/invoices')).text, /INV-ACME-1/);
    });
  });
});
