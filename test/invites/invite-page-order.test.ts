import assert from 'node:assert/strict';
import { Factories } from '../helpers/factories';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { inviteAndLink, ownerSetup } from './helpers';

/** Where each section of the invitation page starts, so their order can be compared. */
function sections(html: string): { login: number; register: number } {
  return { login: html.indexOf('id="invite-login"'), register: html.indexOf('id="invite-register"') };
}

describe('invitations: the page shows first the form that fits the invited address', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('an address without a login gets the registration form first, with a link to signing in', async () => {
    const { owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'newcomer@example.com');
    const page = await tp.anonymous().get(link.path);
    assert.equal(page.status, 200);
    const at = sections(page.text);
    assert.ok(at.register > 0 && at.login > at.register, 'registration comes before signing in');
    assert.ok(page.text.indexOf('href="#invite-login">I already have a login</a>') > at.register);
    assert.doesNotMatch(page.text, /already has a login here/);
  });

  it('an address with a login gets "Sign in to accept" first, registration below', async () => {
    const { owner } = await ownerSetup(tp);
    await tp.f.user({ email: 'known@example.com' });
    const link = await inviteAndLink(tp, owner, 'known@example.com');
    const page = await tp.anonymous().get(link.path);
    const at = sections(page.text);
    assert.ok(at.login > 0 && at.register > at.login, 'signing in comes before registration');
    assert.match(page.text, /known@example.com already has a login here\. Sign in with it/);
    assert.ok(page.text.indexOf('Sign in to accept') < at.register);
    assert.doesNotMatch(page.text, /href="#invite-login"/);
  });

  it('a registration refused because the login exists by now shows that form first with its error', async () => {
    const { owner } = await ownerSetup(tp);
    const link = await inviteAndLink(tp, owner, 'late@example.com');
    const visitor = tp.anonymous();
    await visitor.get(link.path);
    await tp.f.user({ email: 'late@example.com' });
    const res = await visitor.post(`${link.path}/register`, {
      firstName: 'Lee',
      lastName: 'Late',
      password: 'long enough password',
      passwordConfirm: 'long enough password',
    });
    assert.equal(res.status, 409);
    const at = sections(res.text);
    assert.ok(at.register < at.login, 'the form with the error comes first');
    assert.match(res.text, /role="alert" id="invite-register-error"/);
  });

  it('a failed sign-in keeps the way back: login page shows the error, next try lands on the invitation', async () => {
    const { owner } = await ownerSetup(tp);
    await tp.f.user({ email: 'known@example.com' });
    const link = await inviteAndLink(tp, owner, 'known@example.com');
    const visitor = tp.anonymous();
    const signIn = `/login?returnTo=${encodeURIComponent(link.path)}`;
    assert.ok((await visitor.get(link.path)).text.includes(`href="${signIn}"`));
    await visitor.refreshCsrf(signIn);
    const failed = await visitor.post('/login', {
      email: 'known@example.com',
      password: 'not the password',
      returnTo: link.path,
    });
    assert.equal(failed.status, 401);
    assert.match(failed.text, /That e-mail address and password do not match/);
    assert.ok(failed.text.includes(`name="returnTo" value="${link.path}"`), 'the retry keeps the way back');
    assert.ok(failed.text.includes('value="known@example.com"'), 'the address stays filled in');
    await visitor.refreshCsrf(signIn);
    const retry = await visitor.post('/login', {
      email: 'known@example.com',
      password: Factories.PASSWORD,
      returnTo: link.path,
    });
    assert.equal(retry.status, 303);
    assert.equal(retry.headers.location, link.path);
    const back = await visitor.get(link.path);
    assert.match(back.text, /Accept and open Acme Web Studio/);
  });
});
