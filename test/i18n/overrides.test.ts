import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { addOverrideDir, clearOverrides, nativeName, translate } from '../../module/i18n';
import { htmlLang } from './helpers';
import { foundRow } from '../helpers/db';

const LANG_DIR = path.join(__dirname, '..', '..', 'lang');

describe('host language overrides', () => {
  let tp: TestPortal | undefined;
  let dir: string;
  let shipped: Record<string, string>;
  beforeEach(() => {
    tp = undefined;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lang-overrides-'));
    shipped = Object.fromEntries(
      fs.readdirSync(LANG_DIR).map((f) => [f, fs.readFileSync(path.join(LANG_DIR, f), 'utf8')]),
    );
  });
  afterEach(async () => {
    clearOverrides();
    await tp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    // The module's own files are never touched by an override.
    for (const [f, text] of Object.entries(shipped))
      assert.equal(fs.readFileSync(path.join(LANG_DIR, f), 'utf8'), text, f);
  });

  it('a host folder of <locale>.json files beats shipped strings, plural forms included, per language', async () => {
    fs.writeFileSync(
      path.join(dir, 'en.json'),
      JSON.stringify({
        'users.title': 'Team Members',
        'users.count': { one: '{count} teammate', other: '{count} teammates' },
      }),
    );
    fs.writeFileSync(path.join(dir, 'de.json'), JSON.stringify({ 'users.title': 'Teammitglieder' }));
    addOverrideDir(dir);
    tp = await setupPortal();
    const account = await tp.f.account({ name: 'Acme' });
    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const client = await tp.login(owner.email);

    const en = (await client.get('/account/users')).text;
    assert.match(en, /<h1>Team Members<\/h1>/);
    assert.match(en, /1 teammate\b/);
    assert.ok(en.includes('View the activity log'), 'strings the host did not override stay');

    await tp.knex('users').where('id', owner.id).update({ locale: 'de' });
    const de = (await client.get('/account/users')).text;
    assert.equal(htmlLang(de), 'de');
    assert.match(de, /<h1>Teammitglieder<\/h1>/);
    // Strings the host did not override stay the module's.
    assert.ok(de.includes('Benutzer nach Name oder E-Mail-Adresse suchen'));

    // French has no override file: shipped French, not the English override.
    await tp.knex('users').where('id', owner.id).update({ locale: 'fr' });
    assert.match((await client.get('/account/users')).text, /<h1>Gestion des utilisateurs<\/h1>/);

    clearOverrides();
    await tp.knex('users').where('id', owner.id).update({ locale: 'en' });
    assert.match((await client.get('/account/users')).text, /<h1>User Management<\/h1>/);
  });

  it('overrides e-mails too, and the reference host loads the folder named by LANG_OVERRIDES_DIR', async () => {
    fs.writeFileSync(
      path.join(dir, 'en.json'),
      JSON.stringify({ 'email.invite.subject': '{inviter} wants you on {account} at Example Hosting' }),
    );
    tp = await setupPortal({ config: { langOverridesDir: dir } });
    const account = await tp.f.account({ name: 'Acme' });
    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const client = await tp.login(owner.email);
    await client.refreshCsrf('/account/users');
    assert.equal(
      (await client.post('/account/users/invite', { email: 'new@example.test', access: 'all' })).status,
      303,
    );
    const mail = await foundRow(tp, 'outbox', { to_address: 'new@example.test' });
    assert.equal(mail.subject, `${owner.first_name} ${owner.last_name} wants you on Acme at Example Hosting`);
  });

  it("the portal's strings (host/lang) sit beside the module's: overrides win; clearing them keeps both", async () => {
    fs.writeFileSync(
      path.join(dir, 'en.json'),
      JSON.stringify({ 'dashboard.title': 'Your Hosting', 'users.title': 'Team Members' }),
    );
    tp = await setupPortal({ config: { langOverridesDir: dir } });
    const account = await tp.f.account({ name: 'Acme' });
    const owner = (await tp.knex('users').where('id', account.ownerId).first()) as { id: number; email: string };
    const client = await tp.login(owner.email);
    assert.match((await client.get('/')).text, /<h1>Your Hosting<\/h1>/);
    assert.match((await client.get('/account/users')).text, /<h1>Team Members<\/h1>/);

    clearOverrides();
    const home = (await client.get('/')).text;
    assert.match(home, /<h1>Dashboard<\/h1>/, "the portal's own string, not a raw key");
    assert.ok(home.includes('>Home</a>'), "the portal's menu");
    // The portal names its languages; a language no catalogue names gets the name Intl knows.
    assert.equal(nativeName('de'), 'Deutsch');
    assert.equal(nativeName('it'), 'italiano');
  });

  it('refuses a broken override file or missing folder at portal start, rather than show raw keys later', async () => {
    fs.writeFileSync(path.join(dir, 'de.json'), '{ not json');
    assert.throws(() => addOverrideDir(dir), /de\.json is not valid JSON/);
    await assert.rejects(setupPortal({ config: { langOverridesDir: dir } }), /not valid JSON/);
    assert.throws(() => addOverrideDir(path.join(dir, 'missing')), /ENOENT/);
    assert.equal(translate('de', 'users.title'), 'Benutzerverwaltung');
  });
});
