import assert from 'node:assert/strict';
import { createApp, type Portal } from '../../host/app';
import { count } from '../helpers/db';
import { Client, quietLogger, setupPortal, testConfig, type TestPortal } from '../helpers/portal';
import { saveSettings, settingsForm } from '../settings/helpers';
import { bareHost, type BareHost } from './bare-host';
import { TABLES } from '../../module/tables';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('host contract: where the settings live', () => {
  describe('two app instances on one database', () => {
    let tp: TestPortal;
    let b: Portal;
    beforeEach(async () => {
      tp = await setupPortal();
      // Instance B keeps a loaded copy of the settings for 300 ms, as a busy portal would.
      b = await createApp({ knex: tp.knex, config: testConfig(), logger: quietLogger, moduleStateTtlMs: 300 });
    });
    afterEach(async () => {
      await b.close();
      await tp.close();
    });

    it("a value saved on instance A's settings page applies on instance B once B's copy is due", async () => {
      const owner = await tp.f.user();
      await tp.f.account({ ownerId: owner.id });
      const onB = await Client.login(b.app, owner.email, 'test-password-1');
      assert.equal((await onB.get('/account/users')).status, 200);

      const admin = await tp.staffLogin();
      await saveSettings(admin, { disableClientManagement: true });
      // A (no cache) applies it at once.
      const onA = await tp.login(owner.email);
      assert.equal((await onA.get('/account/users')).status, 404);

      await sleep(350);
      assert.equal((await onB.get('/account/users')).status, 404, 'instance B read the saved value');
    });
  });

  describe("a host's own settings store", () => {
    let host: BareHost;
    afterEach(() => host.close());

    it('is loaded and saved instead of the module table (nothing written there)', async () => {
      let stored: Record<string, unknown> = { allowLeave: false };
      const saves: Array<Record<string, unknown>> = [];
      host = await bareHost({
        settingsStore: {
          load: () => Promise.resolve({ ...stored }),
          save: (values) => {
            saves.push(values);
            stored = { ...stored, ...values };
            return Promise.resolve();
          },
        },
      });
      const owner = await host.user('Olga', 'Owner');
      const member = await host.user('Max', 'Member');
      const accountId = await host.account('Olive Hosting', owner.id);
      await host.module.activate();
      await host.member(accountId, member.id, 'all', owner.id);

      // The host's value is the one in force: leaving is off.
      const memberClient = await host.signIn(member.id);
      assert.equal((await memberClient.get('/account/leave')).status, 403);

      const staff = await host.signInAdmin(await host.admin());
      const page = await staff.get('/admin/account-users/settings');
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /name="allowLeave"[^>]*checked/);
      const res = await staff.post(
        '/admin/account-users/settings',
        settingsForm({ allowLeave: true, inviteLifetimeDays: 3 }),
      );
      assert.equal(res.status, 303, `saving answered ${res.status}`);

      assert.equal(saves.length, 1);
      assert.equal(saves[0].allowLeave, true);
      assert.equal(saves[0].inviteLifetimeDays, 3);
      assert.equal(await count(host, TABLES.settings), 0, 'the module table stays empty');
      assert.equal((await memberClient.get('/account/leave')).status, 200);
    });
  });
});
