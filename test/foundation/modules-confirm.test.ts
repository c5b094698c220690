import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { backend } from '../helpers/db';
import { textOf } from '../admin/helpers';
import { TABLES } from '../../module/tables';

describe(`Modules page: Deactivate and Uninstall ask first and say what they take (${backend})`, () => {
  let tp: TestPortal;
  let admin: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    // Two users with access to open accounts, one to a closed account (cannot open it anyway), owners,
    // one pending invitation.
    const owner = await tp.f.user({ firstName: 'Alice', lastName: 'Archer' });
    const acme = await tp.f.account({ name: 'Acme', ownerId: owner.id });
    const closed = await tp.f.account({ name: 'Gone Ltd', status: 'closed' });
    const [u1, u2] = [await tp.f.user(), await tp.f.user()];
    await tp.f.member(acme.id, u1.id, ['tickets']);
    await tp.f.member(acme.id, u2.id, 'all');
    await tp.f.member(closed.id, u1.id, 'all');
    await tp.f.invite(acme.id, { email: 'new.person@example.test' });
    admin = await tp.staffLogin();
  });
  afterEach(() => tp.close());

  it('the module counts what would be taken through its public entry', async () => {
    assert.deepEqual(await tp.portal.accountUsers.impact(), { memberships: 2, pendingInvitations: 1 });
  });

  it('Deactivate on the Modules page links to a confirmation page stating the count; it changes nothing', async () => {
    const modules = await admin.get('/admin/modules');
    assert.match(modules.text, /<a class="button" href="\/admin\/modules\/deactivate">Deactivate<\/a>/);
    assert.doesNotMatch(modules.text, /name="action" value="deactivate"/, 'no one-click form');

    const page = await admin.get('/admin/modules/deactivate');
    assert.equal(page.status, 200);
    const text = textOf(page.text);
    assert.match(text, /Deactivate Account Users\?/);
    assert.match(
      text,
      /2 memberships \(users other than the owner with access to an account\) lose access while the module is off\./,
    );
    assert.match(text, /1 pending invitation cannot be accepted until then/);
    assert.match(text, /Account owners keep their accounts with full access\. Nothing is deleted/);
    assert.match(
      page.text,
      new RegExp(
        [
          /<form method="post" action="\/admin\/modules\/lifecycle"/.source,
          /[\s\S]*name="action" value="deactivate"[\s\S]*name="confirm" value="yes"[\s\S]*Yes, deactivate/.source,
        ].join(''),
      ),
    );
    assert.equal(tp.portal.registry.current().active, true, 'the page changed nothing');
  });

  it('an unconfirmed Deactivate POST does nothing, leads to the confirmation page; a confirmed one acts', async () => {
    const bare = await admin.post('/admin/modules/lifecycle', { action: 'deactivate' });
    assert.equal(bare.status, 303);
    assert.equal(bare.headers.location, '/admin/modules/deactivate');
    assert.equal((await tp.portal.registry.refresh(true)).active, true, 'still active');
    const wrong = await admin.post('/admin/modules/lifecycle', { action: 'deactivate', confirm: 'no' });
    assert.equal(wrong.headers.location, '/admin/modules/deactivate');
    assert.equal((await tp.portal.registry.refresh(true)).active, true, 'still active');

    const confirmed = await admin.post('/admin/modules/lifecycle', { action: 'deactivate', confirm: 'yes' });
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.headers.location, '/admin/modules');
    assert.equal((await tp.portal.registry.refresh(true)).active, false);
    assert.match(textOf((await admin.get('/admin/modules')).text), /Account Users is switched off/);
    // Nothing left to switch off: the page sends back to the Modules page.
    assert.equal((await admin.get('/admin/modules/deactivate')).headers.location, '/admin/modules');
  });

  it('Uninstall: refused while active; its page says the data goes; only a confirmed POST uninstalls', async () => {
    const early = await admin.get('/admin/modules/uninstall');
    assert.equal(early.status, 409);
    assert.match(textOf(early.text), /Deactivate the module before uninstalling it\./);
    assert.doesNotMatch(early.text, /name="confirm"/);
    // Confirmed or not, no uninstall while active.
    await admin.post('/admin/modules/lifecycle', { action: 'uninstall', confirm: 'yes' });
    assert.equal(await tp.knex.schema.hasTable(TABLES.members), true);

    await admin.post('/admin/modules/lifecycle', { action: 'deactivate', confirm: 'yes' });
    const modules = await admin.get('/admin/modules');
    assert.match(modules.text, /<a class="button danger" href="\/admin\/modules\/uninstall">Uninstall<\/a>/);
    const page = await admin.get('/admin/modules/uninstall');
    assert.equal(page.status, 200);
    const text = textOf(page.text);
    assert.match(text, /Uninstall Account Users\?/);
    assert.match(text, /This cannot be undone\. Uninstalling deletes all of the module's data for good:/);
    assert.match(text, /users' access to accounts: 2 memberships/);
    assert.match(text, /invitations, among them 1 pending invitation whose link stops working;/);
    assert.match(text, /the activity log and the module's settings\./);

    const bare = await admin.post('/admin/modules/lifecycle', { action: 'uninstall' });
    assert.equal(bare.headers.location, '/admin/modules/uninstall');
    assert.equal(await tp.knex.schema.hasTable(TABLES.members), true, 'a bare POST deletes nothing');

    const confirmed = await admin.post('/admin/modules/lifecycle', { action: 'uninstall', confirm: 'yes' });
    assert.equal(confirmed.status, 303);
    assert.equal(await tp.knex.schema.hasTable(TABLES.members), false);
    assert.deepEqual(
      await tp.portal.accountUsers.impact(),
      { memberships: 0, pendingInvitations: 0 },
      'zeros once uninstalled',
    );
    assert.equal((await admin.get('/admin/modules/uninstall')).headers.location, '/admin/modules');
  });

  it('in German: the module description, the question and the count', async () => {
    const modules = await admin.get('/admin/modules').set('Accept-Language', 'de');
    const text = textOf(modules.text);
    assert.match(text, /Ermöglicht mehreren Personen die Nutzung eines Kundenkontos/);
    assert.doesNotMatch(text, /Lets several people use one customer account/);
    const page = textOf((await admin.get('/admin/modules/deactivate').set('Accept-Language', 'de')).text);
    assert.match(page, /Account Users deaktivieren\?/);
    assert.match(
      page,
      new RegExp(
        [
          /2 Benutzerzugänge \(Benutzer mit Zugriff auf ein Konto, die nicht dessen Inhaber sind\)/.source,
          / ruhen, solange das Modul ausgeschaltet ist\./.source,
        ].join(''),
      ),
    );
    assert.match(page, /Ja, deaktivieren/);
  });
});
