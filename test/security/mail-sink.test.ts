import assert from 'node:assert/strict';
import { createApp } from '../../host/app';
import { sharedKnex } from '../helpers/db';
import { testConfig } from '../helpers/portal';

/** The Outbox keeps whole invitation links: a production portal without SMTP is warned at start. */
describe('security: the Outbox is a development mail sink', () => {
  async function warningsOf(config: Parameters<typeof testConfig>[0]): Promise<string[]> {
    const warnings: string[] = [];
    const logger = {
      info: () => {},
      warn: (msg: string) => {
        warnings.push(msg);
      },
      error: () => {},
    };
    const portal = await createApp({
      knex: (await sharedKnex()).knex,
      config: testConfig(config),
      logger,
      moduleStateTtlMs: 0,
    });
    await portal.close();
    return warnings;
  }

  it('warns at start in production without SMTP_URL', async () => {
    const warnings = await warningsOf({ production: true });
    assert.ok(
      warnings.some((w) => /SMTP_URL is not set: e-mails go to the Outbox/.test(w)),
      warnings.join('; '),
    );
  });

  it('stays quiet in production with SMTP_URL, and in development', async () => {
    assert.deepEqual(
      (await warningsOf({ production: true, smtpUrl: 'smtp://mail.example.test:587' })).filter((w) =>
        /SMTP_URL/.test(w),
      ),
      [],
    );
    assert.deepEqual(
      (await warningsOf({ production: false })).filter((w) => /SMTP_URL/.test(w)),
      [],
    );
  });
});
