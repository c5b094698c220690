import assert from 'node:assert/strict';
import { createModule } from '../../module/index';
import { createKnex } from '../../host/db';
import { sharedKnex } from '../helpers/db';
import { bareHost, TinyHooks, type BareHost } from './bare-host';
import { TABLES } from '../../module/tables';

describe('host contract: lifecycle steps report, never throw', () => {
  let host: BareHost;
  afterEach(() => host.close());

  it('report success with a description, and the step is done', async () => {
    host = await bareHost({ activate: false });
    const owner = await host.user('Olga', 'Owner');
    await host.account('Olive Hosting', owner.id);

    const activated = await host.module.activate();
    assert.equal(activated.status, 'success');
    assert.equal(activated.description, 'Account Users is active. Owners made from existing primary users: 1.');
    const upgraded = await host.module.upgrade();
    assert.equal(upgraded.status, 'success');
    assert.ok(upgraded.description.length > 0);
    const uninstalled = await host.module.uninstall();
    assert.deepEqual(
      [uninstalled.status, uninstalled.description],
      ['success', 'Account Users was uninstalled and its tables removed.'],
    );
    assert.equal(await host.module.installed(), false);
    assert.equal(await host.knex.schema.hasTable(TABLES.members), false);
    // The next tests find the module installed again.
    assert.equal((await host.module.activate()).status, 'success');
  });

  it('report error with what went wrong when the database refuses (uninstall, activate, upgrade)', async () => {
    host = await bareHost();
    const broken = createKnex((await sharedKnex()).url);
    await broken.destroy();
    const errors: string[] = [];
    const module = await createModule({
      ...host.contract,
      knex: broken,
      hooks: new TinyHooks(),
      logger: { ...host.contract.logger, error: (msg) => void errors.push(msg) },
    });
    try {
      for (const step of ['uninstall', 'activate', 'upgrade'] as const) {
        const result = await module[step]();
        assert.equal(result.status, 'error', `${step} reports an error`);
        assert.match(result.description, new RegExp(`^Account Users could not ${step}: .+`));
      }
      assert.equal(errors.length, 3, 'each failure is logged for the host');
      // The real database was not touched.
      assert.equal(await host.module.installed(), true);
    } finally {
      module.dispose();
    }
  });
});
