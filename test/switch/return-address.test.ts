import assert from 'node:assert/strict';
import { safeReturnPath } from '../../module/safe-return';
import { Factories } from '../helpers/factories';
import { setupPortal, type TestPortal } from '../helpers/portal';
import { foundRow } from '../helpers/db';

/** Addresses that would leave the portal (or run script) if a browser or a later redirect followed them. */
const ATTACKS = [
  '//evil.example',
  '///evil.example',
  'https://evil.example/',
  'http:evil.example',
  'evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  ' /evil',
  'javascript:alert(1)',
  '/javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  '/%2F%2Fevil.example',
  '/%2f/evil.example',
  '/%5Cevil.example',
  '/%252F%252Fevil.example',
  '/%25252F%25252Fevil.example',
  '/%09/evil.example',
  '/%0d%0aSet-Cookie:x=1',
  '/%E0%A4%A',
  '/../evil',
  '/services/../../x',
  '/%2e%2e/x',
  '/\u2028x',
  '',
  'x'.repeat(10),
  `/${'a'.repeat(2100)}`,
];

describe('return addresses accept only local paths', () => {
  it('keeps ordinary local paths, queries and fragments', () => {
    for (const ok of [
      '/',
      '/services',
      '/invoices/12?page=2&sort=due',
      '/tickets#new',
      '/account/users?q=ann%20smith',
      '/tickets?q=50%25',
      '/a:b',
      '/tickets?q=metadata:x',
    ]) {
      assert.equal(safeReturnPath(ok), ok, ok);
    }
  });

  it('drops every attempt to leave the portal, including encoded ones', () => {
    for (const bad of ATTACKS) assert.equal(safeReturnPath(bad), undefined, JSON.stringify(bad));
    for (const bad of [undefined, null, 42, ['/services'], { a: 1 }]) assert.equal(safeReturnPath(bad), undefined);
  });

  describe('through login and switching', () => {
    let tp: TestPortal;
    let single: string;
    let multi: string;
    let a: number;
    before(async () => {
      tp = await setupPortal();
      const one = await tp.f.account({ name: 'One Ltd' });
      single = (await foundRow(tp, 'users', { id: one.ownerId })).email;
      const user = await tp.f.user();
      multi = user.email;
      a = (await tp.f.account({ name: 'Two A' })).id;
      const b = await tp.f.account({ name: 'Two B' });
      await tp.f.member(a, user.id);
      await tp.f.member(b.id, user.id);
    });
    after(() => tp.close());

    const login = async (email: string, returnTo: string) => {
      // Many sign-ins from one address: keep the login rate limit out of this test.
      await tp.knex('rate_limits').del();
      const client = tp.anonymous();
      await client.refreshCsrf('/login');
      const res = await client.post('/login', { email, password: Factories.PASSWORD, returnTo });
      assert.equal(res.status, 303);
      return { client, location: res.headers.location };
    };

    it('login with one account lands on the dashboard instead', async () => {
      for (const bad of ATTACKS.slice(0, 20)) {
        const { location } = await login(single, bad);
        assert.equal(location, '/', JSON.stringify(bad));
      }
    });

    it('login with several accounts goes to the chooser without the address', async () => {
      for (const bad of ['//evil.example', '/%2F%2Fevil.example', 'javascript:alert(1)', '/\\evil']) {
        const { client, location } = await login(multi, bad);
        assert.equal(location, '/account/switch', JSON.stringify(bad));
        const page = await client.get(`/account/switch?returnTo=${encodeURIComponent(bad)}`);
        assert.equal(page.status, 200);
        assert.doesNotMatch(page.text, /name="returnTo"/);
      }
    });

    it('switching lands on the dashboard instead', async () => {
      const { client } = await login(multi, '');
      await client.refreshCsrf('/account/switch');
      for (const bad of ATTACKS.slice(0, 20)) {
        const res = await client.post('/account/switch', { accountId: String(a), returnTo: bad });
        assert.equal(res.status, 303);
        assert.equal(res.headers.location, '/', JSON.stringify(bad));
      }
      const good = await client.post('/account/switch', { accountId: String(a), returnTo: '/invoices?page=2' });
      assert.equal(good.headers.location, '/invoices?page=2');
    });
  });
});
