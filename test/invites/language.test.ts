import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { translate } from '../../module/i18n';
import { invite, lastMail, ownerSetup } from './helpers';

describe('invitations: the language of the e-mail', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it("is the inviter's page language for someone new, and the invitee's saved language when known", async () => {
    const { owner } = await ownerSetup(tp);
    await tp.f.user({ email: 'french@example.test', locale: 'fr' });
    assert.equal((await invite(owner, 'newcomer@example.test', ['tickets'])).status, 303);
    assert.equal((await invite(owner, 'french@example.test', ['tickets'])).status, 303);
    assert.ok((await lastMail(tp, 'newcomer@example.test')).text.includes(translate('en', 'email.invite.button')));
    const french = await lastMail(tp, 'french@example.test');
    assert.ok(french.text.includes(translate('fr', 'email.invite.button')), 'French e-mail for a French-speaking user');
    assert.notEqual(translate('fr', 'email.invite.button'), translate('en', 'email.invite.button'));
  });
});
