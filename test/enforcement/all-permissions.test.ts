import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { createModule, type AccountUsersModule } from '../../module/index';
import { toAccountContext } from '../../module/guard';
import { Hooks } from '../../host/hook-registry';
import { quietLogger, setupPortal, type TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';
import { SHIPPED_KEYS } from '../helpers/catalogue';
import { foundRow } from '../helpers/db';

const ORIGINAL = SHIPPED_KEYS;

describe('All Permissions covers a permission added after the grant', () => {
  let tp: TestPortal;
  let later: AccountUsersModule;
  let accountId: number;
  let ownerId: number;
  const users: Record<string, { id: number; email: string }> = {};

  beforeEach(async () => {
    tp = await setupPortal();
    const account = await tp.f.account({ name: 'Acme Web Studio' });
    accountId = account.id;
    ownerId = account.ownerId;
    users.all = await tp.f.user();
    users.chosen = await tp.f.user();
    // Both granted while the catalogue had only the original keys.
    await tp.f.member(accountId, users.all.id, 'all');
    await tp.f.member(accountId, users.chosen.id, ORIGINAL);
    // A later version of the portal adds a key: same database and host, one more catalogue entry.
    later = await createModule(
      { ...tp.portal.accountUsers.services.ctx.host, hooks: new Hooks(quietLogger) },
      { extraPermissions: ['webmail'] },
    );
  });
  afterEach(async () => {
    later.dispose();
    await tp.close();
  });

  /** A page of the later portal guarded by the new key, for a signed-in user working in the account. */
  function webmailApp(userId: number) {
    const app = express();
    app.use(async (req, _res, next) => {
      const user = await tp.portal.accountUsers.services.ctx.host.users.findById(userId);
      Object.assign(req, { user, session: { accountUsers: { accountId } } });
      next();
    });
    app.get('/webmail', later.requirePermission('webmail'), (_req, res) => {
      res.send('webmail open');
    });
    return app;
  }

  it('All Permissions and the owner open a page guarded by the new key; a chosen set does not include it', async () => {
    const all = await request(webmailApp(users.all.id)).get('/webmail');
    assert.equal(all.status, 200);
    assert.equal(all.text, 'webmail open');
    assert.equal((await request(webmailApp(ownerId)).get('/webmail')).status, 200);
    const chosen = await request(webmailApp(users.chosen.id)).get('/webmail');
    assert.equal(chosen.status, 403, 'every original key ticked is still not the new one');
  });

  it('the account context of All Permissions lists the new key; nothing was rewritten in the database', async () => {
    const { repo, ctx } = later.services;
    const all = toAccountContext(ctx, (await repo.membership(accountId, users.all.id))!);
    assert.equal(all.can('webmail'), true);
    assert.ok(all.permissions.includes('webmail'));
    const chosen = toAccountContext(ctx, (await repo.membership(accountId, users.chosen.id))!);
    assert.equal(chosen.can('webmail'), false);
    assert.equal(chosen.can('tickets'), true);
    const row = await foundRow(tp, TABLES.members, { account_id: accountId, user_id: users.all.id });
    assert.deepEqual(JSON.parse(row.permissions), [], 'the grant is the flag, not a list of keys');
  });

  it('the later version accepts the new key in a permission choice; the earlier one refuses it', () => {
    assert.deepEqual(later.services.ctx.catalogue.parseChoice('choose', ['webmail']), {
      all: false,
      keys: ['webmail'],
    });
    assert.ok(
      'error' in tp.portal.accountUsers.services.ctx.catalogue.parseChoice('choose', ['webmail']),
      'unknown to the version without it',
    );
  });
});
