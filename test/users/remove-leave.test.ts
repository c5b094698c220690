import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { demoLike, loginTo, logActions, findMembership, type DemoLike } from './setup';
import { count, firstRow, foundRow } from '../helpers/db';
import { TABLES } from '../../module/tables';

describe('Remove Access and Leave account', () => {
  let tp: TestPortal;
  let d: DemoLike;
  let alice: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    alice = await tp.login(d.alice.email);
    await alice.refreshCsrf('/account/users');
  });
  afterEach(() => tp.close());

  describe('Remove Access', () => {
    it('asks for confirmation on a page that changes nothing', async () => {
      const res = await alice.get(`/account/users/${d.dev.id}/remove`);
      assert.equal(res.status, 200);
      assert.match(res.text, /<h1>Remove Access<\/h1>/);
      assert.match(
        res.text,
        /Are you sure you want to remove the access of Dana Developer \(dev@example.test\) to Acme Web Studio\?/,
      );
      assert.match(res.text, new RegExp(`<form method="post" action="/account/users/${d.dev.id}/remove"`));
      assert.match(res.text, /name="_csrf" value="[^"]+"/);
      assert.ok(await findMembership(tp, d.acme.id, d.dev.id), 'GET removed nothing');
    });

    it('removes the membership, keeps the user, logs it and fires AccountUserRemoved', async () => {
      const events: Array<Record<string, unknown>> = [];
      tp.portal.hooks.on('AccountUserRemoved', (p: Record<string, unknown>) => {
        events.push(p);
      });
      const res = await alice.post(`/account/users/${d.dev.id}/remove`);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/account/users');
      assert.equal(await findMembership(tp, d.acme.id, d.dev.id), undefined);
      assert.ok(await findMembership(tp, d.blueFish.id, d.dev.id), 'other accounts keep the user');
      assert.equal(await count(tp, 'users', { id: d.dev.id }), 1, 'the login stays');
      const list = await alice.get('/account/users');
      assert.match(list.text, /Dana Developer no longer has access to this account/);
      assert.doesNotMatch(list.text, /dev@example.test/);
      const log = await foundRow(tp, TABLES.log, { account_id: d.acme.id, action: 'removed' });
      assert.equal(Number(log.actor_id), d.alice.id);
      assert.equal(Number(log.target_user_id), d.dev.id);
      assert.equal(events.length, 1);
      assert.deepEqual(
        { accountId: events[0].accountId, userId: events[0].userId, left: events[0].left },
        { accountId: d.acme.id, userId: d.dev.id, left: false },
      );
      // A second removal of the same id is a plain 404.
      assert.equal((await alice.post(`/account/users/${d.dev.id}/remove`)).status, 404);
    });
  });

  describe('felt on the next request of every session', () => {
    it('narrowing applies to an already signed-in session and to a second one', async () => {
      const first = await loginTo(tp, d.dev.email, d.acme.id);
      const second = await loginTo(tp, d.dev.email, d.acme.id);
      assert.equal((await first.get('/invoices')).status, 200);
      assert.equal((await second.get('/services')).status, 200);
      await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'choose', permissions: ['products'] });
      assert.equal((await first.get('/invoices')).status, 403);
      assert.equal((await second.get('/invoices')).status, 403);
      assert.equal((await second.get('/services')).status, 200);
      // Widening is felt at once too.
      await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'all' });
      assert.equal((await first.get('/invoices')).status, 200);
    });

    it('removal sends every session of the user to the chooser on its next request', async () => {
      const first = await loginTo(tp, d.dev.email, d.acme.id);
      const second = await loginTo(tp, d.dev.email, d.acme.id);
      await alice.post(`/account/users/${d.dev.id}/remove`);
      for (const session of [first, second]) {
        const res = await session.get('/services');
        assert.equal(res.status, 302);
        assert.equal(res.headers.location, '/account/switch?returnTo=%2Fservices');
        // And stays out: with Blue Fish the only account left, the next page opens that one.
        const again = await session.get('/');
        assert.equal(again.status, 200);
        assert.match(again.text, /<span class="account-name">Blue Fish Bakery<\/span>/);
        assert.match(again.text, /You are working in Blue Fish Bakery/);
      }
    });

    it('a removed user with no other account lands on the no-account page', async () => {
      const solo = await tp.f.user({ firstName: 'Solo', lastName: 'User' });
      await tp.f.member(d.acme.id, solo.id, ['tickets']);
      const client = await tp.login(solo.email);
      assert.equal((await client.get('/tickets')).status, 200);
      await alice.post(`/account/users/${solo.id}/remove`);
      const res = await client.get('/tickets');
      assert.equal(res.status, 302);
      const chooser = await client.get(res.headers.location);
      assert.match(chooser.text, /No account to open/);
    });
  });

  describe('Leave account', () => {
    it('lets a user who is not the owner leave after confirming', async () => {
      const events: Array<Record<string, unknown>> = [];
      tp.portal.hooks.on('AccountUserRemoved', (p: Record<string, unknown>) => {
        events.push(p);
      });
      const dev = await loginTo(tp, d.dev.email, d.acme.id);
      const page = await dev.get('/account/leave');
      assert.equal(page.status, 200);
      assert.match(page.text, /<h1>Leave account<\/h1>/);
      assert.match(page.text, /Are you sure you want to leave Acme Web Studio\?/);
      assert.ok(await findMembership(tp, d.acme.id, d.dev.id), 'GET changed nothing');
      dev.csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      const res = await dev.post('/account/leave', { account_id: String(d.blueFish.id) });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/account/switch');
      assert.equal(await findMembership(tp, d.acme.id, d.dev.id), undefined);
      assert.ok(await findMembership(tp, d.blueFish.id, d.dev.id), 'a field naming another account is ignored');
      const chooser = await dev.get('/account/switch');
      assert.match(chooser.text, /You left Acme Web Studio/);
      assert.deepEqual(
        (await logActions(tp, d.acme.id)).filter((a) => a !== 'account_switched'),
        ['left'],
      );
      assert.equal(events.length, 1);
      assert.equal(events[0].left, true);
      assert.match((await alice.get('/account/activity')).text, /Left the account/);
    });

    it('offers Leave on Switch Account to users with several accounts, not in the menu beside Sign out', async () => {
      const dev = await loginTo(tp, d.dev.email, d.acme.id);
      const home = await dev.get('/');
      assert.doesNotMatch(home.text, /href="\/account\/leave"/, 'not in the account menu');
      const page = await dev.get('/account/switch');
      assert.match(page.text, /<h2 id="switch-leave-title">Leave Acme Web Studio<\/h2>/);
      assert.match(page.text, /<a class="au-button" href="\/account\/leave">Leave this account<\/a>/);
      // The owner, and everyone while leaving is switched off, see no Leave at all.
      assert.doesNotMatch((await alice.get('/account/switch')).text, /href="\/account\/leave"/);
      assert.doesNotMatch((await alice.get('/')).text, /href="\/account\/leave"/);
      await tp.setSettings({ allowLeave: false });
      assert.doesNotMatch((await dev.get('/account/switch')).text, /href="\/account\/leave"/);
    });

    it('puts Leave at the bottom of the menu, behind a separator, for a user with no other account', async () => {
      await tp.knex(TABLES.members).where({ account_id: d.blueFish.id, user_id: d.dev.id }).del();
      const dev = await tp.login(d.dev.email);
      const home = await dev.get('/');
      const menu = /<details class="accountmenu">([\s\S]*?)<\/details>/.exec(home.text)![1];
      assert.doesNotMatch(menu, /Switch Account/);
      assert.match(
        menu,
        new RegExp(
          [
            /<li class="menu-separated">\s*<a href="\/account\/leave">Leave this account<\/a>\s*<\/li>/.source,
            /\s*<li class="menu-separated">\s*<form method="post" action="\/logout">/.source,
          ].join(''),
        ),
        'last before Sign out, each in a group of its own',
      );
      await tp.setSettings({ allowLeave: false });
      assert.doesNotMatch((await dev.get('/')).text, /href="\/account\/leave"/);
    });

    it('reads in Brazilian Portuguese as giving up access, not as signing out', async () => {
      const dev = await loginTo(tp, d.dev.email, d.acme.id);
      await dev.post('/language', { locale: 'pt-BR', from: '/account/switch' });
      const page = await dev.get('/account/switch');
      assert.match(page.text, /Deixar de acessar esta conta/);
      assert.match(page.text, /<button type="submit" class="linklike">Sair<\/button>/, 'Sign out keeps its own word');
      const confirm = await dev.get('/account/leave');
      assert.match(confirm.text, /<h1>Deixar de acessar a conta<\/h1>/);
      assert.doesNotMatch(confirm.text.replace(/<header[\s\S]*?<\/header>/, ''), /\bSair\b/);
    });

    it('the owner can not leave', async () => {
      const page = await alice.get('/account/leave');
      assert.equal(page.status, 403);
      assert.match(page.text, /The account owner can not leave the account/);
      assert.equal((await alice.post('/account/leave')).status, 403);
      assert.ok(await findMembership(tp, d.acme.id, d.alice.id));
    });

    it('is refused while the admin setting does not allow leaving', async () => {
      await tp.setSettings({ allowLeave: false });
      const dev = await loginTo(tp, d.dev.email, d.acme.id);
      const page = await dev.get('/account/leave');
      assert.equal(page.status, 403);
      assert.match(page.text, /Leaving an account is switched off/);
      assert.equal((await dev.post('/account/leave')).status, 403);
      assert.ok(await findMembership(tp, d.acme.id, d.dev.id));
    });

    it('needs a signed-in user in an account', async () => {
      const anon = tp.anonymous();
      const res = await anon.get('/account/leave');
      assert.equal(res.status, 302);
      assert.match(res.headers.location, /^\/login/);
    });
  });
  describe('invitations of someone who lost access', () => {
    for (const how of ['removed', 'left'] as const) {
      it(`are cancelled with their sender's access (${how}), in the same step, and logged`, async () => {
        // Alice invites as owner, then ownership moves to Dana: Alice is an ordinary member now.
        const invite = await tp.f.invite(d.acme.id, { email: 'pat@example.test', invitedBy: d.alice.id });
        await tp.portal.accountUsers.services.members.makeOwner(
          { type: 'system', id: null, name: 'test' },
          d.acme.id,
          d.dev.id,
        );
        const events: Array<Record<string, unknown>> = [];
        tp.portal.hooks.on('AccountUserInviteCancelled', (p: Record<string, unknown>) => {
          events.push(p);
        });
        const dana = await loginTo(tp, d.dev.email, d.acme.id);
        if (how === 'removed') assert.equal((await dana.post(`/account/users/${d.alice.id}/remove`)).status, 303);
        else {
          await alice.refreshCsrf('/account/leave');
          assert.equal((await alice.post('/account/leave')).status, 303);
        }
        const row = await foundRow(tp, TABLES.invites, { id: invite.id });
        assert.equal(row.pending_email, null, 'no longer pending');
        assert.ok(row.cancelled_at, 'cancelled');
        assert.deepEqual(
          (await logActions(tp, d.acme.id)).filter((a) => a === 'invite_cancelled' || a === how),
          [how, 'invite_cancelled'],
        );
        assert.equal(events.length, 1);
        assert.match((await dana.get('/account/activity')).text, /Sent by someone who no longer has access/);
        const link = await firstRow(tp, TABLES.invites, { id: invite.id });
        assert.ok(link, 'the row is kept for the record');
      });
    }
  });
});
