import assert from 'node:assert/strict';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { translate } from '../../module/i18n';
import { PORTAL_LANG_DIR, readCatalogue } from '../../scripts/lang-check';

describe('counts of zero read right in Brazilian Portuguese', () => {
  it('0 takes the plural although Intl counts it as "one"; 1 stays singular', () => {
    assert.equal(new Intl.PluralRules('pt-BR').select(0), 'one');
    assert.equal(translate('pt-BR', 'invites.pendingCount', { count: 0 }), '0 convites pendentes');
    assert.equal(translate('pt-BR', 'invites.pendingCount', { count: 1 }), '1 convite pendente');
    assert.equal(translate('pt-BR', 'invites.pendingCount', { count: 2 }), '2 convites pendentes');
    assert.equal(translate('pt-BR', 'users.countFound', { count: 0 }), '0 usuários encontrados');
    // French says "0 invitation en attente": no zero form, the grammar's own category.
    assert.equal(
      translate('fr', 'invites.pendingCount', { count: 0 }),
      translate('fr', 'invites.pendingCount', { count: 1 }).replace('1', '0'),
    );
  });

  it("every pt-BR count has its zero form, the module's and the portal's", () => {
    const cat = { ...readCatalogue('pt-BR'), ...readCatalogue('pt-BR', PORTAL_LANG_DIR) };
    for (const [key, entry] of Object.entries(cat)) {
      if (typeof entry === 'string') continue;
      assert.equal(entry.zero, entry.other, `${key}: 0 reads like 2`);
    }
  });

  describe('on a page', () => {
    let tp: TestPortal;
    beforeEach(async () => {
      tp = await setupPortal();
    });
    afterEach(() => tp.close());

    it('User Management in pt-BR with no pending invitation says "0 convites pendentes"', async () => {
      const owner = await tp.f.user({ firstName: 'Ana', lastName: 'Alves', locale: 'pt-BR' });
      await tp.f.account({ name: 'Acme', ownerId: owner.id });
      const client = await tp.login(owner.email);
      const page = await client.get('/account/users');
      assert.equal(page.status, 200);
      assert.match(page.text, /0 convites pendentes/);
      assert.doesNotMatch(page.text, /0 convite pendente\b/);
    });
  });
});
