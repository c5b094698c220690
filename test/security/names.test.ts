import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { inviteAndLink, lastMail, ownerSetup } from '../invites/helpers';
import { count } from '../helpers/db';

const NOTICE = 'SECURITY NOTICE: your account is suspended, call +1 555 0100';

/** Names with line breaks would let a user write their own lines into another person's e-mail. */
describe('security: control characters in names', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('registering from an invitation refuses names with line breaks, tabs, controls or bidi overrides', async () => {
    const { owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'eve@example.com');
    const visitor = tp.anonymous();
    await visitor.refreshCsrf(link.path);
    for (const [first, last] of [
      [`Eve\r\n\r\n${NOTICE}`, 'Smith'],
      ['Eve', 'Smi\tth'],
      ['Eve\u0085', 'Smith'],
      ['Eve', 'Smith\u202Etxt.exe'],
      ['E\u0000ve', 'Smith'],
    ]) {
      const res = await visitor.post(`${link.path}/register`, {
        firstName: first,
        lastName: last,
        password: 'long-enough-password',
        passwordConfirm: 'long-enough-password',
      });
      assert.equal(res.status, 422, JSON.stringify([first, last]));
      assert.match(res.text, /A name cannot contain line breaks, tabs or other control characters\./);
    }
    assert.equal(await count(tp, 'users', { email: 'eve@example.com' }), 0);
  });

  it('the portal refuses an account name or contact name with control characters', async () => {
    const { owner } = await ownerSetup(tp);
    await owner.refreshCsrf('/profile');
    const profile = await owner.post('/profile', { name: `Acme\n${NOTICE}`, email: 'billing@example.com' });
    assert.equal(profile.status, 422);
    assert.match(
      profile.text,
      new RegExp(
        [
          /The account&#39;s name cannot contain line breaks, tabs or other control characters\./.source,
          /The account's name cannot contain line breaks/.source,
        ].join('|'),
      ),
    );
    const contact = await owner.post('/contacts', {
      firstName: 'Carl\u202E',
      lastName: 'Contact',
      email: 'carl@example.com',
    });
    assert.equal(contact.status, 422);
    assert.match(contact.text, /Names cannot contain line breaks, tabs or other control characters\./);
    assert.equal(await count(tp, 'contacts'), 0);
  });

  it('e-mails keep every stored name on one line: the owner\'s "accepted" e-mail and the invitation', async () => {
    // Values stored before the rule (or by the host's own tools) are still written on one line.
    const { account, owner, ownerEmail } = await ownerSetup(tp);
    await tp
      .knex('accounts')
      .where('id', account.id)
      .update({ name: `Acme\r\n\r\n${NOTICE}` });
    const link = await inviteAndLink(tp, owner, 'eve@example.com');
    const invitation = await lastMail(tp, 'eve@example.com');
    assert.doesNotMatch(invitation.text, new RegExp(`^${NOTICE}`, 'm'));
    assert.doesNotMatch(invitation.subject, /[\r\n]/);
    await tp.f.user({ email: 'eve@example.com', firstName: `Eve\r\n\r\n${NOTICE}`, lastName: 'Smith' });
    const eve = await tp.login('eve@example.com');
    await eve.refreshCsrf(link.path);
    assert.equal((await eve.post(`${link.path}/accept`)).status, 303);
    const accepted = await lastMail(tp, ownerEmail);
    assert.match(accepted.text, /Eve SECURITY NOTICE/);
    assert.doesNotMatch(accepted.text, new RegExp(`^${NOTICE}`, 'm'));
  });
});
