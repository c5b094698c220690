import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { translate } from '../../module/i18n';
import { VISITOR_LOCALE_COOKIE } from '../../host/layout';
import { htmlLang, pick, rawKeys } from './helpers';
import { foundRow } from '../helpers/db';

async function localeOf(tp: TestPortal, userId: number): Promise<string | null> {
  return (await foundRow(tp, 'users', { id: userId })).locale;
}

describe('choosing the language', () => {
  let tp: TestPortal;
  beforeEach(async () => {
    tp = await setupPortal();
  });
  afterEach(() => tp.close());

  it('follows Accept-Language for a visitor who chose nothing, by weight and by base language', async () => {
    const visitor = tp.anonymous();
    const lang = async (header?: string) => {
      const req = visitor.agent.get('/login');
      return htmlLang((await (header ? req.set('Accept-Language', header) : req)).text);
    };
    assert.equal(await lang(), 'en');
    assert.equal(await lang('de-DE,de;q=0.9,en;q=0.5'), 'de');
    assert.equal(await lang('ja,fr-CA;q=0.8,en;q=0.7'), 'fr');
    assert.equal(await lang('pt'), 'pt-BR');
    assert.equal(await lang('pt-br'), 'pt-BR');
    assert.equal(await lang('en;q=0.3,nl;q=0.9'), 'nl');
    assert.equal(await lang('es;q=0,de;q=0.1'), 'de');
    assert.equal(await lang('xx,yy'), 'en');
    const page = (await visitor.agent.get('/login').set('Accept-Language', 'es')).text;
    assert.ok(
      page.includes(`<h1>${translate('es', 'login.title')}</h1>`) || page.includes(translate('es', 'login.title')),
    );
  });

  it('offers a labelled picker with CSRF on every page, each language named in itself', async () => {
    const visitor = tp.anonymous();
    const page = (await visitor.get('/login')).text;
    const form = /<form method="post" action="\/language"[\s\S]*?<\/form>/.exec(page)?.[0];
    assert.ok(form, 'the picker form is there');
    assert.match(form, /name="_csrf" value="[^"]+"/);
    assert.match(form, /<label for="language-picker">Language<\/label>/);
    assert.match(form, /<select id="language-picker" name="locale">/);
    for (const name of ['English', 'Deutsch', 'Français', 'Español', 'Nederlands', 'Português (Brasil)'])
      assert.ok(form.includes(`>${name}</option>`), name);
    assert.match(form, /<option value="pt-BR" lang="pt-BR">/);
    assert.match(form, /<option value="en" lang="en" selected>/);
    assert.match(form, /<button type="submit" class="button">Change language<\/button>/);
  });

  it("a visitor's pick beats Accept-Language, is kept after signing in and out, and returns to the page", async () => {
    const user = await tp.f.user();
    await tp.f.account({ ownerId: user.id });
    const visitor = tp.anonymous();
    await visitor.refreshCsrf('/login');
    const res = await visitor.post('/language', { locale: 'fr', from: '/login?returnTo=%2Ftickets' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/login?returnTo=%2Ftickets');
    assert.match(String(res.headers['set-cookie']), new RegExp(`${VISITOR_LOCALE_COOKIE}=fr; .*HttpOnly`));
    const page = await visitor.agent.get('/login').set('Accept-Language', 'de');
    assert.equal(htmlLang(page.text), 'fr');
    assert.match(page.text, /<option value="fr" lang="fr" selected>Français<\/option>/);
    assert.deepEqual(rawKeys(page.text), []);

    // The visitor's choice is not written to anyone's login.
    assert.equal(await localeOf(tp, user.id), null);
    visitor.csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    assert.equal((await visitor.post('/login', { email: user.email, password: 'test-password-1' })).status, 303);
    assert.equal(htmlLang((await visitor.get('/')).text), 'fr');
    assert.equal(await localeOf(tp, user.id), null);
  });

  it("saves a signed-in user's pick with their login; it then wins over browser and cookie anywhere", async () => {
    const account = await tp.f.account({ name: 'Acme' });
    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const client = await tp.login(owner.email);
    await client.refreshCsrf('/services');
    const res = await client.post('/language', { locale: 'nl', from: '/services' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/services');
    assert.equal(await localeOf(tp, owner.id), 'nl');
    const services = await client.agent.get('/services').set('Accept-Language', 'de');
    assert.equal(htmlLang(services.text), 'nl');
    assert.ok(services.text.includes(translate('nl', 'services.title')));

    // Another browser without the cookie, asking for German: the saved preference still wins.
    const elsewhere = await tp.login(owner.email);
    assert.equal(htmlLang((await elsewhere.agent.get('/').set('Accept-Language', 'de')).text), 'nl');
    // A saved preference beats an older cookie choice too.
    await tp.knex('users').where('id', owner.id).update({ locale: 'es' });
    assert.equal(htmlLang((await client.get('/')).text), 'es');
  });

  it('lets "As my browser prefers" in Your settings hand the choice back to Accept-Language', async () => {
    const account = await tp.f.account();
    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const client = await tp.login(owner.email);
    await pick(client, 'de', '/settings');
    assert.equal(await localeOf(tp, owner.id), 'de');
    const settings = (await client.get('/settings')).text;
    assert.match(settings, /<option value="de" selected>Deutsch<\/option>/);
    await client.refreshCsrf('/settings');
    const saved = await client.post('/settings/language', { locale: '' });
    assert.equal(saved.status, 303);
    assert.equal(await localeOf(tp, owner.id), null);
    assert.equal(htmlLang((await client.agent.get('/').set('Accept-Language', 'pt-BR,pt;q=0.9')).text), 'pt-BR');
    assert.equal(htmlLang((await client.get('/')).text), 'en');
  });

  it('refuses an unknown language (translated 422, no change); needs a CSRF token; no off-site redirect', async () => {
    const account = await tp.f.account();
    const owner = await foundRow(tp, 'users', { id: account.ownerId });
    const client = await tp.login(owner.email);
    await tp.knex('users').where('id', owner.id).update({ locale: 'fr' });
    await client.refreshCsrf('/');
    for (const locale of ['xx', '', 'EN', '../en', 'de'.repeat(20)]) {
      const res = await client.post('/language', { locale });
      assert.equal(res.status, 422, locale);
      assert.ok(res.text.includes(translate('fr', 'userSettings.errors.locale')), locale);
      assert.doesNotMatch(String(res.headers['set-cookie'] ?? ''), new RegExp(VISITOR_LOCALE_COOKIE));
    }
    assert.equal(await localeOf(tp, owner.id), 'fr');

    const noToken = await client.agent.post('/language').type('form').send({ locale: 'de' });
    assert.equal(noToken.status, 403);
    assert.equal(await localeOf(tp, owner.id), 'fr');

    for (const from of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '']) {
      const res = await client.post('/language', { locale: 'de', from });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/', from);
    }
    assert.equal(await localeOf(tp, owner.id), 'de');
  });

  it('works for a visitor without a session: no GET changes the language', async () => {
    const visitor = tp.anonymous();
    const before = await visitor.get('/language');
    assert.equal(before.status, 404);
    assert.equal(before.headers['set-cookie']?.toString().includes(VISITOR_LOCALE_COOKIE) ?? false, false);
    assert.equal(htmlLang((await visitor.get('/login?locale=de')).text), 'en');
  });

  it("uses the portal's DEFAULT_LOCALE when neither the visitor nor the browser chose a shipped language", async () => {
    const other = await setupPortal({ config: { defaultLocale: 'de' } });
    try {
      const visitor = other.anonymous();
      assert.equal(htmlLang((await visitor.get('/login')).text), 'de');
      assert.equal(htmlLang((await visitor.agent.get('/login').set('Accept-Language', 'ja')).text), 'de');
      assert.equal(htmlLang((await visitor.agent.get('/login').set('Accept-Language', 'fr')).text), 'fr');
    } finally {
      await other.close();
    }
    // A portal started without the setting is back to English.
    const plain = await setupPortal();
    try {
      assert.equal(htmlLang((await plain.anonymous().get('/login')).text), 'en');
    } finally {
      await plain.close();
    }
  });
});
