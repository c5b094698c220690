import assert from 'node:assert/strict';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { PermissionCatalogue } from '../../module/permissions';
import { BASE } from '../admin/helpers';
import { demoLike, loginTo, membership, type DemoLike } from './setup';
import { TABLES } from '../../module/tables';
import { fromJson } from '../helpers/rows';
import { foundRow } from '../helpers/db';

/** The areas the forms group the boxes in, with the keys each holds, in the order shown. */
const GROUPS: Array<[string, string[]]> = [
  ['Account', ['profile', 'contacts', 'emails']],
  ['Services', ['products', 'manageproducts', 'productsso']],
  ['Domains', ['domains', 'managedomains']],
  ['Billing', ['invoices', 'quotes', 'affiliates', 'orders']],
  ['Support', ['tickets']],
];

/** The group fieldsets of one form, in page order: legend and the values of its boxes. */
function groupsOf(form: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  for (const m of form.matchAll(
    /<fieldset class="au-perm-group">\s*<legend>([^<]+)<\/legend>([\s\S]*?)<\/fieldset>/g,
  )) {
    out.push([
      m[1],
      [...m[2].matchAll(/type="checkbox" id="[^"]*" name="permissions" value="([^"]+)"/g)].map((b) => b[1]),
    ]);
  }
  return out;
}

/** The HTML of the form posting to `action` (the page may hold several). */
function formOf(html: string, action: RegExp): string {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g))
    if (action.test(/action="([^"]*)"/.exec(m[0])?.[1] ?? '')) return m[0];
  assert.fail(`no form posting to ${action}`);
}

describe('permissions: grouped by area, Manage includes View, presets', () => {
  let tp: TestPortal;
  let d: DemoLike;
  let alice: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    d = await demoLike(tp);
    alice = await loginTo(tp, d.alice.email, d.acme.id);
  });
  afterEach(() => tp.close());

  /** Every form that grants access, as its page shows it. */
  async function forms(): Promise<Record<string, string>> {
    const invite = await tp.f.invite(d.acme.id, { email: 'ivy@example.test', permissions: ['tickets'] });
    const admin = await tp.staffLogin();
    const staff = (await admin.get(`${BASE}/accounts/${d.acme.id}`)).text;
    return {
      invite: formOf((await alice.get('/account/users')).text, /\/users\/invite$/),
      managePermissions: formOf((await alice.get(`/account/users/${d.dev.id}/permissions`)).text, /\/permissions$/),
      invitationAccess: formOf((await alice.get(`/account/invites/${invite.id}/access`)).text, /\/access$/),
      staffAdd: formOf(staff, /\/users$/),
      staffInvite: formOf(staff, /\/invites$/),
    };
  }

  it('every access form groups the boxes by area in fieldsets with legends, with the same help text', async () => {
    const all = await forms();
    const helps = new Set<string>();
    for (const [name, form] of Object.entries(all)) {
      assert.deepEqual(groupsOf(form), GROUPS, `${name}: the groups and their boxes`);
      assert.match(form, /<fieldset[^>]*>\s*<legend>Access<\/legend>/, `${name}: the access choice is a fieldset`);
      assert.match(
        form,
        new RegExp(
          [
            /<fieldset class="au-perm-choice" aria-describedby="[^"]*perms-help">/.source,
            /\s*<legend>Permissions \(used with Choose Permissions\)<\/legend>/.source,
          ].join(''),
        ),
        name,
      );
      assert.match(form, /Managing services or domains, or signing in to services, includes viewing them/, name);
      assert.match(form, /Upgrade, downgrade or ask to cancel services\. Includes “View services”\./, name);
      assert.match(form, /Open control panels of services with single sign-on\. Includes “View services”\./, name);
      assert.match(form, /Change nameservers, auto-renew and other domain settings\. Includes “View domains”\./, name);
      assert.match(
        form,
        /Everything the account owner can do except managing users, including permissions added in the future\./,
        name,
      );
      assert.match(form, /Only the permissions ticked below\./, name);
      // The visible text of the help (ids differ between forms on one page, the words do not).
      helps.add(
        form
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .replace(/^.*?Access /, 'Access ')
          // The end date some of these forms add after the access choice is not part of it.
          .replace(/ Access until \(optional\) .*$/, '')
          .replace(/ (Send Invite|Save Changes|Save|Give Access|Cancel) .*$/, ''),
      );
    }
    assert.equal(helps.size, 1, 'the same words on every form');
  });

  it('offers the presets as buttons the script shows: hidden without it, filling exactly their boxes', async () => {
    const all = await forms();
    for (const [name, form] of Object.entries(all)) {
      assert.match(
        form,
        /<div class="au-presets" role="group" aria-labelledby="[^"]*presets-label" data-au-presets hidden>/,
        name,
      );
      assert.match(
        form,
        new RegExp(
          [
            /<button type="button" class="au-button au-button-small" data-au-preset="invoices quotes"/.source,
            / aria-describedby="[^"]*">Billing \(invoices and quotes\)<\/button>/.source,
          ].join(''),
        ),
        name,
      );
      assert.match(
        form,
        new RegExp(
          [
            /data-au-preset="products manageproducts productsso domains managedomains tickets"/.source,
            / aria-describedby="[^"]*">Technical \(services, domains, tickets\)<\/button>/.source,
          ].join(''),
        ),
        name,
      );
      assert.match(form, /role="status" data-au-status/, `${name}: what the script ticks is read out`);
      assert.doesNotMatch(form, /<button type="submit"[^>]*data-au-preset/, `${name}: a preset never submits the form`);
    }
    const js = (await alice.get('/account/account-users.js')).text;
    assert.match(js, /data-au-preset/);
    assert.match(js, /data-au-needs/);
  });

  it('marks each Manage box with the View box it needs, for the script', async () => {
    const { managePermissions } = await forms();
    assert.match(
      managePermissions,
      new RegExp(
        [
          /id="perm-manageproducts" name="permissions" value="manageproducts"/.source,
          / aria-describedby="perm-manageproducts-help" data-au-needs="products">/.source,
        ].join(''),
      ),
    );
    assert.match(
      managePermissions,
      new RegExp(
        [
          /id="perm-productsso" name="permissions" value="productsso"/.source,
          / aria-describedby="perm-productsso-help" data-au-needs="products">/.source,
        ].join(''),
      ),
    );
    assert.match(
      managePermissions,
      new RegExp(
        [
          /id="perm-managedomains" name="permissions" value="managedomains"/.source,
          / aria-describedby="perm-managedomains-help" data-au-needs="domains">/.source,
        ].join(''),
      ),
    );
    assert.match(
      managePermissions,
      /id="perm-products" name="permissions" value="products" aria-describedby="perm-products-help">/,
    );
  });

  describe('the server completes a Manage permission sent without its View permission', () => {
    it('Manage Permissions stores View with Manage, and says so in the list', async () => {
      const res = await alice.post(`/account/users/${d.dev.id}/permissions`, {
        access: 'choose',
        permissions: ['manageproducts', 'managedomains', 'tickets'],
      });
      assert.equal(res.status, 303);
      const row = await membership(tp, d.acme.id, d.dev.id);
      assert.deepEqual(JSON.parse(row.permissions), [
        'products',
        'manageproducts',
        'domains',
        'managedomains',
        'tickets',
      ]);
      const log = await foundRow(tp, TABLES.log, { account_id: d.acme.id, action: 'permissions_changed' });
      assert.deepEqual((fromJson(log.details) as { to: unknown }).to, [
        'products',
        'manageproducts',
        'domains',
        'managedomains',
        'tickets',
      ]);
      assert.match(
        (await alice.get('/account/users')).text,
        /View services, Manage services, View domains, Manage domains, Support tickets/,
      );
      // Dana can now open the services page the Manage permission is used on.
      const dev = await loginTo(tp, d.dev.email, d.acme.id);
      assert.equal((await dev.get('/services')).status, 200);
    });

    it('Sign in to services brings View services; a set that has View already is stored as sent', async () => {
      assert.equal(
        (await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'choose', permissions: ['productsso'] }))
          .status,
        303,
      );
      assert.deepEqual(JSON.parse((await membership(tp, d.acme.id, d.dev.id)).permissions), ['products', 'productsso']);
      assert.equal(
        (
          await alice.post(`/account/users/${d.dev.id}/permissions`, {
            access: 'choose',
            permissions: ['domains', 'invoices'],
          })
        ).status,
        303,
      );
      assert.deepEqual(JSON.parse((await membership(tp, d.acme.id, d.dev.id)).permissions), ['domains', 'invoices']);
    });

    it("the invite form, an invitation's access, and what accepting grants", async () => {
      assert.equal(
        (
          await alice.post('/account/users/invite', {
            email: 'ivy@example.test',
            access: 'choose',
            permissions: ['managedomains'],
          })
        ).status,
        303,
      );
      let invite = await foundRow(tp, TABLES.invites, { email: 'ivy@example.test' });
      assert.deepEqual(JSON.parse(invite.permissions), ['domains', 'managedomains']);
      assert.match(
        (await alice.get('/account/users')).text,
        /Invitation sent to ivy@example.test with access to: View domains, Manage domains\./,
      );

      assert.equal(
        (
          await alice.post(`/account/invites/${invite.id}/access`, {
            access: 'choose',
            permissions: ['manageproducts'],
          })
        ).status,
        303,
      );
      invite = await foundRow(tp, TABLES.invites, { email: 'ivy@example.test' });
      assert.deepEqual(JSON.parse(invite.permissions), ['products', 'manageproducts']);
    });

    it("staff's direct access and invitation forms", async () => {
      const admin = await tp.staffLogin();
      const blue = `${BASE}/accounts/${d.blueFish.id}`;
      assert.equal(
        (await admin.post(`${blue}/users`, { email: d.alice.email, access: 'choose', permissions: ['manageproducts'] }))
          .status,
        303,
      );
      assert.deepEqual(JSON.parse((await membership(tp, d.blueFish.id, d.alice.id)).permissions), [
        'products',
        'manageproducts',
      ]);
      assert.equal(
        (
          await admin.post(`${blue}/invites`, {
            email: 'new@example.test',
            access: 'choose',
            permissions: ['managedomains', 'invoices'],
          })
        ).status,
        303,
      );
      const invite = await foundRow(tp, TABLES.invites, { email: 'new@example.test' });
      assert.deepEqual(JSON.parse(invite.permissions), ['domains', 'managedomains', 'invoices']);
    });

    it('completing never makes a refusal a save: unknown keys, All Permissions plus boxes stay refused', async () => {
      const before = (await membership(tp, d.acme.id, d.dev.id)).permissions;
      assert.equal(
        (
          await alice.post(`/account/users/${d.dev.id}/permissions`, {
            access: 'choose',
            permissions: ['manageproducts', 'root'],
          })
        ).status,
        422,
      );
      assert.equal(
        (await alice.post(`/account/users/${d.dev.id}/permissions`, { access: 'all', permissions: ['manageproducts'] }))
          .status,
        422,
      );
      assert.equal((await membership(tp, d.acme.id, d.dev.id)).permissions, before);
    });
  });

  it("a host's own permission keys get a group of their own, last", () => {
    const groups = new PermissionCatalogue(['webmail']).groups();
    assert.deepEqual(
      groups.map((g) => g.id),
      ['account', 'services', 'domains', 'billing', 'support', 'other'],
    );
    assert.deepEqual(groups.at(-1)!.keys, ['webmail']);
    const catalogue = new PermissionCatalogue();
    assert.deepEqual(
      [...catalogue.groups().flatMap((g) => g.keys), ...catalogue.separate()].sort(),
      catalogue.keys.slice().sort(),
      'every key is in exactly one group, or shown apart (Manage users)',
    );
    assert.deepEqual(catalogue.separate(), ['manageusers']);
  });
});
