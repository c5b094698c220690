import assert from 'node:assert/strict';
import { setupPortal, Client, type TestPortal } from '../helpers/portal';
import { adminWorld, BASE, textOf, type AdminWorld } from './helpers';
import { pick } from '../i18n/helpers';
import { dayExample, parseDay, parseLocaleDay, startOfDay } from '../../module/admin/dates';
import { TABLES } from '../../module/tables';
import { pagerLink } from '../helpers/pager';

/** Writes one log entry at a given time, as the services do. */
async function entry(
  tp: TestPortal,
  row: {
    accountId: number;
    action: string;
    at: number;
    targetUserId?: number;
    actor?: [string, number | null, string];
  },
) {
  const [type, id, name] = row.actor ?? ['user', null, 'Someone'];
  await tp.knex(TABLES.log).insert({
    account_id: row.accountId,
    actor_type: type,
    actor_id: id,
    actor_name: name,
    action: row.action,
    target_user_id: row.targetUserId ?? null,
    target_email: null,
    details: null,
    ip: null,
    created_at: row.at,
  });
}

describe('admin: activity logs of an account and of a user', () => {
  let tp: TestPortal;
  let w: AdminWorld;
  let admin: Client;
  before(async () => {
    tp = await setupPortal();
    w = await adminWorld(tp);
    admin = await tp.staffLogin(w.admin.email);
    // Three days of entries in Blue Fish, one in Acme.
    await entry(tp, {
      accountId: w.blueFish.id,
      action: 'user_added',
      at: Date.UTC(2026, 9, 1, 10),
      targetUserId: w.dev.id,
      actor: ['user', w.bob.id, 'Bob Baker'],
    });
    await entry(tp, {
      accountId: w.blueFish.id,
      action: 'permissions_changed',
      at: Date.UTC(2026, 9, 2, 23, 59),
      targetUserId: w.dev.id,
      actor: ['user', w.bob.id, 'Bob Baker'],
    });
    await entry(tp, {
      accountId: w.blueFish.id,
      action: 'removed',
      at: Date.UTC(2026, 9, 3, 0, 0),
      targetUserId: w.alice.id,
      actor: ['user', w.bob.id, 'Bob Baker'],
    });
    await entry(tp, {
      accountId: w.acme.id,
      action: 'permissions_changed',
      at: Date.UTC(2026, 9, 2, 12),
      targetUserId: w.dev.id,
      actor: ['user', w.alice.id, 'Alice Archer'],
    });
    // And one change by the admin through the page.
    assert.equal(
      (await admin.post(`${BASE}/accounts/${w.blueFish.id}/users/${w.dev.id}/owner`, { access: 'all' })).status,
      303,
    );
  });
  after(() => tp.close());

  const rows = (html: string) => (html.match(/<tr[^>]*>\s*<td[^>]*data-label=/g) ?? []).length;

  it("shows an account's log newest first, with the admin named as actor", async () => {
    const res = await admin.get(`${BASE}/accounts/${w.blueFish.id}/log`);
    assert.equal(res.status, 200);
    const page = textOf(res.text);
    assert.match(page, /Activity log of Blue Fish Bakery/);
    assert.match(page, /Ada Admin \(support staff\) Made account owner Dana Developer Previous owner: Bob Baker/);
    assert.ok(page.indexOf('Made account owner') < page.indexOf('Removed access'), 'newest first');
    assert.match(page, /Bob Baker Removed access Alice Archer/);
    assert.doesNotMatch(page, /Alice Archer Changed permissions/, 'Acme entries are not shown');
    assert.equal(rows(res.text), 4);
  });

  it("shows a user's log across accounts, with the account of each entry", async () => {
    const res = await admin.get(`${BASE}/users/${w.dev.id}/log`);
    assert.equal(res.status, 200);
    const page = textOf(res.text);
    assert.match(page, /Activity log of Dana Developer/);
    assert.match(page, /Blue Fish Bakery Ada Admin \(support staff\) Made account owner Dana Developer/);
    assert.match(page, /Acme Web Studio Alice Archer Changed permissions Dana Developer/);
    assert.equal(rows(res.text), 4);
    // Bob appears as the actor of his own changes.
    assert.equal(rows((await admin.get(`${BASE}/users/${w.bob.id}/log`)).text), 3);
  });

  it('filters by action', async () => {
    const res = await admin.get(`${BASE}/accounts/${w.blueFish.id}/log?action=removed`);
    assert.equal(rows(res.text), 1);
    assert.match(textOf(res.text), /Removed access Alice Archer/);
    assert.match(res.text, /<option value="removed" selected>/);
  });

  it("filters by a date range; both days are included, in the portal's time zone", async () => {
    const oct2 = await admin.get(`${BASE}/accounts/${w.blueFish.id}/log?from=2026-10-02&to=2026-10-02`);
    assert.equal(rows(oct2.text), 1);
    assert.match(textOf(oct2.text), /Changed permissions/);
    assert.equal(
      rows((await admin.get(`${BASE}/accounts/${w.blueFish.id}/log?from=2026-10-01&to=2026-10-03`)).text),
      3,
    );
    assert.equal(rows((await admin.get(`${BASE}/accounts/${w.blueFish.id}/log?from=2026-10-03`)).text), 2);
    assert.equal(
      rows((await admin.get(`${BASE}/accounts/${w.blueFish.id}/log?to=2026-10-02&action=user_added`)).text),
      1,
    );
    assert.equal(rows((await admin.get(`${BASE}/users/${w.dev.id}/log?from=2026-10-02&to=2026-10-02`)).text), 2);
  });

  it('refuses invalid filters with a message on the field (422) and shows no entries', async () => {
    const cases: Array<[string, RegExp]> = [
      ['action=drop_tables', /Please choose an action from the list\./],
      ['from=2026-02-30', /Please enter a date such as 11\/28\/2026\./],
      ['to=yesterday', /Please enter a date such as 11\/28\/2026\./],
      ['from=28.11.2026', /Please enter a date such as 11\/28\/2026\./],
      ['from=02%2F30%2F2026', /Please enter a date such as 11\/28\/2026\./],
      ['from=2026-10-03&to=2026-10-01', /The end date must not be before the start date\./],
    ];
    for (const [query, message] of cases) {
      const res = await admin.get(`${BASE}/accounts/${w.blueFish.id}/log?${query}`);
      assert.equal(res.status, 422, query);
      assert.match(textOf(res.text), message, query);
      assert.match(res.text, /aria-invalid="true"/);
      assert.equal(rows(res.text), 0);
    }
  });

  it("asks for days in one format, the page language's, in a text field: help, example and filter agree", async () => {
    const res = await admin.get(`${BASE}/accounts/${w.blueFish.id}/log`);
    assert.match(
      res.text,
      new RegExp(
        [
          /<input id="log-from" name="from" type="text" class="au-date" autocomplete="off" maxlength="20"/.source,
          / value="" aria-describedby="log-from-help">/.source,
        ].join(''),
      ),
    );
    assert.doesNotMatch(res.text, /type="date"/, 'no browser date picker with a format of its own');
    assert.match(
      res.text,
      /<p class="au-help" id="log-from-help">A date such as 11\/28\/2026; the day itself is included\.<\/p>/,
    );
    const oct2 = await admin.get(`${BASE}/accounts/${w.blueFish.id}/log?from=10%2F2%2F2026&to=10%2F02%2F2026`);
    assert.equal(oct2.status, 200);
    assert.equal(rows(oct2.text), 1, 'the English format filters like YYYY-MM-DD');
    assert.match(oct2.text, /value="10\/2\/2026"/, 'the field keeps what was typed');
  });

  it('in German the field asks for 28.11.2026 and reads it; YYYY-MM-DD still works', async () => {
    const staff = new Client(tp.app);
    await pick(staff, 'de', '/admin/login');
    await staff.staffLogin(w.admin.email);
    const page = await staff.get(`${BASE}/accounts/${w.blueFish.id}/log`);
    assert.match(page.text, /Ein Datum wie 28\.11\.2026; der Tag selbst zählt mit\./);
    assert.equal(rows((await staff.get(`${BASE}/accounts/${w.blueFish.id}/log?from=02.10.2026&to=2.10.2026`)).text), 1);
    assert.equal(
      rows((await staff.get(`${BASE}/accounts/${w.blueFish.id}/log?from=2026-10-02&to=2026-10-02`)).text),
      1,
    );
    const wrong = await staff.get(`${BASE}/accounts/${w.blueFish.id}/log?from=10%2F02%2F2026`);
    assert.equal(wrong.status, 422);
    assert.match(textOf(wrong.text), /Bitte geben Sie ein Datum wie 28\.11\.2026 ein\./);
  });

  it("walks a user's log both ways: entries about them and by them, each once, newest first", async () => {
    const person = await tp.f.user({ firstName: 'Walker', lastName: 'Both' });
    // 130 entries: about the person, by them, and both at once (the merge must not repeat these).
    for (let i = 0; i < 130; i += 1)
      await entry(tp, {
        accountId: w.acme.id,
        action: 'permissions_changed',
        at: Date.UTC(2026, 9, 7, 8, 0, i),
        targetUserId: i % 3 === 1 ? undefined : person.id,
        actor: i % 3 === 0 ? ['admin', 1, 'Staff'] : ['user', person.id, `Walker ${i}`],
      });
    const ids = (
      await tp
        .knex(TABLES.log)
        .where('target_user_id', person.id)
        .orWhere({ actor_type: 'user', actor_id: person.id })
        .orderBy('id', 'desc')
        .pluck('id')
    ).map(String);
    assert.equal(ids.length, 130);
    const page = await admin.get(`${BASE}/users/${person.id}/log`);
    const next = pagerLink(page.text, 'next')!;
    assert.match(next, /\/log\?after=\d+$/);
    // The cursor of each page is its last entry's id: every page's Next names the id the walk reached.
    const seen: string[] = [];
    let path: string | undefined = `${BASE}/users/${person.id}/log`;
    while (path) {
      const res = await admin.get(path);
      seen.push(String(rows(res.text)));
      path = pagerLink(res.text, 'next');
      if (path) assert.equal(path.match(/after=(\d+)/)![1], ids[seen.length * 50 - 1]);
    }
    assert.deepEqual(seen, ['50', '50', '30']);
    const last = await admin.get(pagerLink(page.text, 'last')!);
    assert.equal(rows(last.text), 50);
    assert.equal(pagerLink(last.text, 'prev')!.match(/before=(\d+)/)![1], ids[80]);
  });

  it('pages 50 entries at a time and keeps the filters in the page links', async () => {
    for (let i = 0; i < 55; i += 1)
      await entry(tp, {
        accountId: w.acme.id,
        action: 'account_switched',
        at: Date.UTC(2026, 9, 5, 8, i),
        targetUserId: w.dev.id,
      });
    const first = await admin.get(`${BASE}/accounts/${w.acme.id}/log?action=account_switched`);
    assert.equal(rows(first.text), 50);
    const next = pagerLink(first.text, 'next')!;
    assert.match(next, /\/log\?after=[0-9]+&action=account_switched$/);
    const second = await admin.get(next);
    assert.equal(rows(second.text), 5);
    assert.equal(pagerLink(second.text, 'next'), undefined);
    assert.match(pagerLink(second.text, 'prev')!, /\/log\?before=[0-9]+&action=account_switched$/);
    const last = await admin.get(pagerLink(first.text, 'last')!);
    assert.equal(rows(last.text), 50, 'the last page is full');
    assert.equal(rows((await admin.get(pagerLink(last.text, 'prev')!)).text), 5);
    const garbage = await admin.get(`${BASE}/accounts/${w.acme.id}/log?action=account_switched&after=1;drop`);
    assert.equal(garbage.status, 200);
    assert.equal(rows(garbage.text), 50);
  });
});

describe('admin: log filter days as each language writes them', () => {
  it('gives each shipped language one example and reads it back, and YYYY-MM-DD everywhere', () => {
    const examples: Record<string, string> = {
      en: '11/28/2026',
      de: '28.11.2026',
      fr: '28/11/2026',
      es: '28/11/2026',
      nl: '28-11-2026',
      'pt-BR': '28/11/2026',
    };
    for (const [locale, example] of Object.entries(examples)) {
      assert.equal(dayExample(locale), example, locale);
      assert.deepEqual(parseLocaleDay(example, locale), { y: 2026, m: 11, d: 28 }, locale);
      assert.deepEqual(parseLocaleDay('2026-11-28', locale), { y: 2026, m: 11, d: 28 }, locale);
      assert.equal(parseLocaleDay('31/02/2026', locale), undefined, `${locale}: not a real day`);
      assert.equal(parseLocaleDay('1/2/26', locale), undefined, `${locale}: a two-digit year is not guessed`);
    }
    assert.deepEqual(parseLocaleDay('1/5/2026', 'en'), { y: 2026, m: 1, d: 5 });
    assert.deepEqual(parseLocaleDay('1/5/2026', 'fr'), { y: 2026, m: 5, d: 1 });
  });
});

describe("admin: log filter days in the portal's time zone", () => {
  it('starts a day at local midnight, across daylight-saving changes', () => {
    assert.equal(startOfDay(parseDay('2026-10-02')!, 'UTC'), Date.UTC(2026, 9, 2));
    assert.equal(startOfDay(parseDay('2026-07-01')!, 'Europe/Berlin'), Date.UTC(2026, 5, 30, 22));
    assert.equal(startOfDay(parseDay('2026-12-01')!, 'Europe/Berlin'), Date.UTC(2026, 10, 30, 23));
    // 25 October 2026 is 25 hours long in Berlin.
    assert.equal(
      startOfDay(parseDay('2026-10-25')!, 'Europe/Berlin', 1) - startOfDay(parseDay('2026-10-25')!, 'Europe/Berlin'),
      25 * 3600_000,
    );
    assert.equal(startOfDay(parseDay('2026-03-01')!, 'America/New_York'), Date.UTC(2026, 2, 1, 5));
    for (const bad of ['2026-02-29', '2026-13-01', '26-01-01', '2026-1-1', ''])
      assert.equal(parseDay(bad), undefined, bad);
  });
});
