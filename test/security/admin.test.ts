import assert from 'node:assert/strict';
import type { Client } from '../helpers/portal';
import { buildWorld, loginTo, mainText, type World } from './fixture';
import { unchangedBy } from './snapshot';
import { TABLES } from '../../module/tables';
import { allRows, firstRow, foundRow } from '../helpers/db';

const BASE = '/admin/modules/account_users';

/** The module's staff pages: closed to client users, and one account's ids never act on another. */
describe('security: the module admin pages', () => {
  let w: World;
  let admin: Client;
  before(async () => {
    w = await buildWorld();
    await w.tp.f.admin({ email: 'root@portal.test' });
    admin = await w.tp.staffLogin('root@portal.test');
  });
  after(() => w.tp.close());

  const gets = (x: World) => [
    '/',
    '/users',
    `/users/${x.dev.id}`,
    `/users/${x.dev.id}/log`,
    '/accounts',
    `/accounts/${x.acme.id}`,
    `/accounts/${x.acme.id}/log`,
    `/accounts/${x.acme.id}/users/${x.dev.id}/owner`,
    `/accounts/${x.acme.id}/users/${x.dev.id}/remove`,
    `/accounts/${x.acme.id}/invites/${x.acmeInviteId}/cancel`,
  ];
  const posts = (x: World): Array<[string, Record<string, string>]> => [
    [`/accounts/${x.acme.id}/users`, { email: x.sam.email, access: 'all' }],
    [`/accounts/${x.acme.id}/users/${x.dev.id}/owner`, {}],
    [`/accounts/${x.acme.id}/users/${x.dev.id}/remove`, {}],
    [`/accounts/${x.acme.id}/invites`, { email: 'staff@attacker.test', access: 'all' }],
    [`/accounts/${x.acme.id}/invites/${x.acmeInviteId}/resend`, {}],
    [`/accounts/${x.acme.id}/invites/${x.acmeInviteId}/cancel`, {}],
  ];

  it('an account owner signed in to the client area reaches none of them, by GET or POST', async () => {
    const owner = await loginTo(w.tp, w.alice.email, w.acme.id);
    await unchangedBy(w.tp.knex, async () => {
      for (const path of gets(w)) {
        const res = await owner.get(`${BASE}${path}`);
        assert.equal(res.status, 302, path);
        assert.match(String(res.headers.location), /^\/admin\/login/);
        assert.doesNotMatch(res.text, /dev@victim\.test/);
      }
      for (const [path, fields] of posts(w)) {
        const res = await owner.post(`${BASE}${path}`, fields);
        assert.equal(res.status, 302, path);
      }
    });
  });

  it('a signed-out visitor reaches none of them either', async () => {
    const anon = w.tp.anonymous();
    await anon.refreshCsrf('/admin/login');
    await unchangedBy(w.tp.knex, async () => {
      for (const path of gets(w)) assert.equal((await anon.get(`${BASE}${path}`)).status, 302, path);
      for (const [path, fields] of posts(w))
        assert.equal((await anon.post(`${BASE}${path}`, fields)).status, 302, path);
    });
  });

  const crossed: Array<[string, 'get' | 'post', (x: World) => string]> = [
    [
      'making a user of another account owner (confirmation)',
      'get',
      (x) => `/accounts/${x.acme.id}/users/${x.sam.id}/owner`,
    ],
    ['making a user of another account owner', 'post', (x) => `/accounts/${x.acme.id}/users/${x.sam.id}/owner`],
    ['making the owner of another account owner here', 'post', (x) => `/accounts/${x.acme.id}/users/${x.bob.id}/owner`],
    [
      'removing a user of another account (confirmation)',
      'get',
      (x) => `/accounts/${x.acme.id}/users/${x.sam.id}/remove`,
    ],
    ['removing a user of another account', 'post', (x) => `/accounts/${x.acme.id}/users/${x.sam.id}/remove`],
    [
      'resending an invitation of another account',
      'post',
      (x) => `/accounts/${x.acme.id}/invites/${x.blueInviteId}/resend`,
    ],
    [
      'the cancel confirmation of an invitation of another account',
      'get',
      (x) => `/accounts/${x.acme.id}/invites/${x.blueInviteId}/cancel`,
    ],
    [
      'cancelling an invitation of another account',
      'post',
      (x) => `/accounts/${x.acme.id}/invites/${x.blueInviteId}/cancel`,
    ],
  ];
  for (const [name, method, path] of crossed) {
    it(`staff: ${name} answers 404 like an id that does not exist`, async () => {
      await unchangedBy(w.tp.knex, async () => {
        const p = `${BASE}${path(w)}`;
        const res = method === 'get' ? await admin.get(p) : await admin.post(p);
        assert.equal(res.status, 404, p);
        const missing = p.replace(/\/(users|invites)\/\d+\//, '/$1/999999/');
        const other = method === 'get' ? await admin.get(missing) : await admin.post(missing);
        assert.equal(other.status, 404);
        assert.equal(mainText(res.text), mainText(other.text));
      });
    });
  }

  it('staff: removing the owner is refused, and ids that are not ids answer 404', async () => {
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await admin.post(`${BASE}/accounts/${w.acme.id}/users/${w.alice.id}/remove`)).status, 403);
      for (const id of ['0', '-1', '1e2', 'x', '99999999999']) {
        assert.equal((await admin.get(`${BASE}/accounts/${id}`)).status, 404, id);
        assert.equal((await admin.post(`${BASE}/accounts/${id}/users/${w.dev.id}/owner`)).status, 404, id);
        assert.equal((await admin.get(`${BASE}/users/${id}`)).status, 404, id);
      }
    });
  });

  it('staff: adding a user ignores owner flags and account ids in the form', async () => {
    const res = await admin.post(`${BASE}/accounts/${w.acme.id}/users`, {
      email: w.sam.email,
      access: 'choose',
      permissions: ['tickets'],
      is_owner: '1',
      account_id: String(w.blueFish.id),
      accountId: String(w.malloryLtd.id),
    });
    assert.equal(res.status, 303);
    const row = await foundRow(w.tp, TABLES.members, { account_id: w.acme.id, user_id: w.sam.id });
    assert.equal(row.is_owner, null);
    assert.deepEqual(JSON.parse(row.permissions), ['tickets']);
    assert.equal(await firstRow(w.tp, TABLES.members, { account_id: w.malloryLtd.id, user_id: w.sam.id }), undefined);
    const owners = await allRows(w.tp, TABLES.members, { account_id: w.acme.id, is_owner: true });
    assert.deepEqual(
      owners.map((o) => Number(o.user_id)),
      [w.alice.id],
    );
    await w.tp.knex(TABLES.members).where({ account_id: w.acme.id, user_id: w.sam.id }).del();
  });

  it('staff: object and array values are refused with the form and write nothing', async () => {
    await unchangedBy(w.tp.knex, async () => {
      const raw = async (path: string, body: string) =>
        admin.agent
          .post(`${BASE}${path}`)
          .type('form')
          .send(`_csrf=${encodeURIComponent(await admin.tokenFor(BASE))}&${body}`);
      assert.equal((await raw(`/accounts/${w.acme.id}/users`, `email[$ne]=&access=all`)).status, 422);
      assert.equal(
        (await raw(`/accounts/${w.acme.id}/users`, `email=${encodeURIComponent(w.sam.email)}&access[]=all`)).status,
        422,
      );
      assert.equal((await raw(`/accounts/${w.acme.id}/invites`, `email[]=a@victim.test&access=all`)).status, 422);
      for (const q of ['q[$ne]=x&page[x]=1', 'action[]=removed&from[$gt]=0&to=not-a-date', 'page=-1&ipage[x]=2']) {
        for (const path of [
          '/users',
          '/accounts',
          `/accounts/${w.acme.id}/log`,
          `/users/${w.dev.id}/log`,
          `/accounts/${w.acme.id}`,
        ]) {
          const res = await admin.get(`${BASE}${path}?${q}`);
          // A malformed value is ignored and the page shown; a date that is not one is named in the form (422).
          const expected = path.endsWith('/log') && q.includes('not-a-date') ? 422 : 200;
          assert.equal(res.status, expected, `${path}?${q}`);
        }
      }
    });
  });

  it('a staff session ends for the module pages when the admin signs out', async () => {
    const other = await w.tp.staffLogin('root@portal.test');
    assert.equal((await other.get(`${BASE}/`)).status, 200);
    assert.equal((await other.post('/admin/logout')).status, 303);
    await unchangedBy(w.tp.knex, async () => {
      assert.equal((await other.get(`${BASE}/accounts/${w.acme.id}`)).status, 302);
      assert.equal((await other.post(`${BASE}/accounts/${w.acme.id}/users/${w.dev.id}/remove`)).status, 302);
    });
  });
});
