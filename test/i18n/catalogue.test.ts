import assert from 'node:assert/strict';
import {
  CATALOGUES,
  checkLocale,
  LANG_DIR,
  localesIn,
  neededForms,
  paramsOf,
  PORTAL_LANG_DIR,
  readCatalogue,
  sharedKeys,
  unusedKeys,
} from '../../scripts/lang-check';
import { availableLocales, translate } from '../../module/i18n';
import { MODULE_CODE, PORTAL_CODE } from '../../scripts/key-usage';

const locales = localesIn();

describe('language files', () => {
  it('ships English, German, French, Spanish, Dutch and Brazilian Portuguese; the portal speaks the same six', () => {
    assert.deepEqual([...locales].sort(), ['de', 'en', 'es', 'fr', 'nl', 'pt-BR']);
    assert.deepEqual(localesIn(PORTAL_LANG_DIR), localesIn());
    assert.deepEqual(availableLocales()[0], 'en');
  });

  it("ships in lang/ only the module's strings, and the portal keeps its own in host/lang", () => {
    assert.deepEqual(unusedKeys(LANG_DIR, MODULE_CODE), [], 'keys in lang/ that the module never uses');
    assert.deepEqual(unusedKeys(PORTAL_LANG_DIR, PORTAL_CODE), [], 'keys in host/lang that the portal never uses');
    assert.deepEqual(sharedKeys(), [], 'keys in both catalogues');
    // The portal's pages, menus and language names are the portal's; the module's screens are the module's.
    const moduleEn = readCatalogue('en');
    const portalEn = readCatalogue('en', PORTAL_LANG_DIR);
    for (const key of [
      'dashboard.title',
      'invoices.title',
      'admin.modules.title',
      'admin.outbox.title',
      'login.title',
      'hostValue.open',
      'language.de',
      'brand',
    ]) {
      assert.ok(key in portalEn && !(key in moduleEn), key);
    }
    for (const key of [
      'users.title',
      'switch.title',
      'permission.invoices.label',
      'email.invite.subject',
      'errors.notFound',
    ])
      assert.ok(key in moduleEn && !(key in portalEn), key);
  });

  for (const { name, dir } of CATALOGUES) {
    const en = readCatalogue('en', dir);
    for (const locale of locales) describeLocale(name, dir, locale, en);
  }

  function describeLocale(name: string, dir: string, locale: string, en: ReturnType<typeof readCatalogue>) {
    describe(`${name} ${locale}`, () => {
      const cat = readCatalogue(locale, dir);

      it('has exactly the keys of en.json', () => {
        const report = checkLocale(locale, en, cat);
        assert.deepEqual(report.missing, [], `missing in ${locale}`);
        assert.deepEqual(report.extra, [], `extra in ${locale}`);
      });

      it('uses the same {parameters} as English in every string and every plural form', () => {
        assert.deepEqual(checkLocale(locale, en, cat).params, []);
        for (const [key, entry] of Object.entries(cat)) {
          if (typeof entry === 'string' || !(key in en)) continue;
          // Each form that shows a number shows it through {count}, like English.
          for (const [form, text] of Object.entries(entry))
            assert.ok(
              paramsOf(text).every((p) => paramsOf(en[key]).includes(p)),
              `${locale} ${key}.${form}`,
            );
        }
      });

      it('gives every plural entry the forms its grammar needs (at least one and other) and no unused ones', () => {
        const needed = neededForms(locale);
        assert.ok(needed.includes('one') && needed.includes('other'));
        assert.deepEqual(checkLocale(locale, en, cat).plurals, []);
        const plurals = Object.entries(cat).filter(([, e]) => typeof e !== 'string');
        assert.ok(plurals.length >= (name === 'module' ? 5 : 4), 'plural entries exist');
        for (const [key, entry] of plurals)
          for (const form of needed)
            assert.ok((entry as Record<string, string>)[form], `${locale} ${key} lacks ${form}`);
      });

      it(`${name === 'portal' ? 'names all shipped languages, ' : ''}has no empty or untranslated-looking text`, () => {
        if (name === 'portal')
          for (const other of locales)
            assert.ok(
              typeof cat[`language.${other}`] === 'string' && cat[`language.${other}`],
              `${locale} names ${other}`,
            );
        for (const [key, entry] of Object.entries(cat)) {
          const texts = typeof entry === 'string' ? [entry] : Object.values(entry);
          for (const text of texts) {
            assert.ok(text.trim().length > 0, `${locale} ${key} is empty`);
            assert.doesNotMatch(text, /TODO|FIXME|\{\{|\}\}/, `${locale} ${key}`);
          }
        }
      });
    });
  }

  it('picks the plural form by Intl.PluralRules for each language', () => {
    assert.equal(translate('en', 'users.count', { count: 1 }), '1 user');
    assert.equal(translate('en', 'users.count', { count: 0 }), '0 users');
    assert.equal(translate('de', 'switch.count', { count: 1 }), '1 Konto');
    assert.equal(translate('de', 'switch.count', { count: 3 }), '3 Konten');
    // French counts 0 as singular, and says "de" before a million.
    assert.equal(translate('fr', 'switch.count', { count: 0 }), '0 compte');
    assert.equal(translate('fr', 'switch.count', { count: 2 }), '2 comptes');
    assert.equal(translate('fr', 'switch.count', { count: 1000000 }), '1000000 de comptes');
    assert.equal(translate('pt-BR', 'users.count', { count: 1 }), '1 usuário');
    assert.equal(translate('pt-BR', 'users.count', { count: 7 }), '7 usuários');
    assert.equal(translate('es', 'invites.pendingCount', { count: 2 }), '2 invitaciones pendientes');
    assert.equal(translate('nl', 'users.countFound', { count: 1 }), '1 gebruiker gevonden');
  });

  it('fills parameters and keeps the product terms of each language', () => {
    assert.equal(
      translate('de', 'users.remove.done', { name: 'Dana' }),
      'Dana hat keinen Zugriff mehr auf dieses Konto.',
    );
    const terms: Record<string, string[]> = {
      de: ['Konto', 'Benutzer', 'Inhaber', 'Einladung', 'Berechtigung'],
      fr: ['compte', 'utilisateur', 'propriétaire', 'invitation', 'autorisation'],
      es: ['cuenta', 'usuario', 'propietario', 'invitación', 'permiso'],
      nl: ['account', 'gebruiker', 'eigenaar', 'uitnodiging', 'recht'],
      'pt-BR': ['conta', 'usuário', 'proprietário', 'convite', 'permissão'],
    };
    const sample = [
      'members.errors.ownerOnly',
      'members.errors.ownerFixed',
      'invites.errors.summary',
      'permissions.errors.none',
      'switch.intro',
    ];
    for (const [locale, words] of Object.entries(terms)) {
      const text = sample
        .map((k) => translate(locale, k))
        .join(' ')
        .toLowerCase();
      for (const word of words) assert.ok(text.includes(word.toLowerCase()), `${locale}: "${word}" in ${text}`);
    }
  });
});
