import assert from 'node:assert/strict';
import { manifest } from '../../module/manifest';
import { readSettings } from '../../module/manifest';
import { translate } from '../../module/i18n';
import { setupPortal, type Client, type TestPortal } from '../helpers/portal';
import { SETTINGS, settingsForm, storedSettings } from './helpers';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

describe("settings: declared in module.json, edited on the module's settings page", () => {
  let tp: TestPortal;
  let admin: Client;
  beforeEach(async () => {
    tp = await setupPortal();
    admin = await tp.staffLogin();
  });
  afterEach(() => tp.close());

  it('declares the thirteen settings, each with a default, number bounds and a translated label and help', () => {
    const byKey = Object.fromEntries(manifest.settings.map((f) => [f.key, f]));
    assert.deepEqual(Object.keys(byKey).sort(), [
      'allowLeave',
      'disableClientManagement',
      'inviteLifetimeDays',
      'invitesPerHour',
      'logRetentionDays',
      'maxUsersPerAccount',
      'notifyAccessEnding',
      'notifyAccessRemoved',
      'notifyOwnerChanged',
      'notifyOwnerOnAccept',
      'notifyOwnerOnDecline',
      'notifyPermissionsChanged',
      'requireInvitedAddress',
    ]);
    assert.deepEqual(
      [byKey.inviteLifetimeDays.default, byKey.inviteLifetimeDays.min, byKey.inviteLifetimeDays.max],
      [7, 1, 90],
    );
    assert.deepEqual([byKey.maxUsersPerAccount.default, byKey.maxUsersPerAccount.min], [0, 0]);
    assert.equal(byKey.invitesPerHour.type, 'number');
    assert.deepEqual(
      [
        'requireInvitedAddress',
        'allowLeave',
        'notifyOwnerOnAccept',
        'notifyOwnerOnDecline',
        'notifyPermissionsChanged',
        'notifyAccessRemoved',
        'notifyOwnerChanged',
        'notifyAccessEnding',
        'disableClientManagement',
      ].map((k) => [byKey[k].type, byKey[k].default]),
      [
        ['yesno', true],
        ['yesno', true],
        ['yesno', true],
        ['yesno', true],
        ['yesno', true],
        ['yesno', true],
        ['yesno', true],
        ['yesno', true],
        ['yesno', false],
      ],
    );
    for (const f of manifest.settings) {
      if (f.type === 'number')
        assert.ok(
          typeof f.min === 'number' &&
            typeof f.max === 'number' &&
            f.min <= (f.default as number) &&
            (f.default as number) <= f.max,
          f.key,
        );
      for (const key of [f.label, f.help]) assert.notEqual(translate('en', key), key, `${key} is translated`);
    }
    // Nothing saved yet: the defaults apply.
    assert.deepEqual(readSettings({}), {
      inviteLifetimeDays: 7,
      maxUsersPerAccount: 0,
      invitesPerHour: 20,
      logRetentionDays: 730,
      requireInvitedAddress: true,
      allowLeave: true,
      notifyOwnerOnAccept: true,
      notifyOwnerOnDecline: true,
      notifyPermissionsChanged: true,
      notifyAccessRemoved: true,
      notifyOwnerChanged: true,
      notifyAccessEnding: true,
      disableClientManagement: false,
    });
  });

  it('shows every setting with its label, help text and bounds, tied to its input', async () => {
    const res = await admin.get(SETTINGS);
    assert.equal(res.status, 200);
    for (const f of manifest.settings) {
      const id = `setting-${f.key}`;
      assert.match(
        res.text,
        new RegExp(`<label for="${id}">${translate('en', f.label).replace(/[()]/g, '\\$&')}</label>`),
        f.key,
      );
      assert.match(res.text, new RegExp(`id="${id}" name="${f.key}"[^>]*aria-describedby="${id}-help`), f.key);
      assert.ok(text(res.text).includes(translate('en', f.help)), `${f.key} help`);
    }
    assert.match(text(res.text), /How long an invitation link stays valid\. Allowed: 1 to 90\. Default: 7\./);
  });

  it('saves valid values and shows them; they apply at once', async () => {
    const values = {
      inviteLifetimeDays: 30,
      maxUsersPerAccount: 12,
      invitesPerHour: 5,
      logRetentionDays: 365,
      requireInvitedAddress: false,
      allowLeave: false,
      notifyOwnerOnAccept: false,
      notifyOwnerOnDecline: false,
      notifyPermissionsChanged: false,
      notifyAccessRemoved: false,
      notifyOwnerChanged: false,
      notifyAccessEnding: false,
      disableClientManagement: true,
    };
    const res = await admin.post(SETTINGS, settingsForm(values));
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, SETTINGS);
    assert.deepEqual(await storedSettings(tp), values);
    assert.deepEqual(tp.portal.accountUsers.services.ctx.settings(), values);
    const page = await admin.get(SETTINGS);
    assert.match(page.text, /The settings were saved\./);
    assert.match(page.text, /id="setting-inviteLifetimeDays" name="inviteLifetimeDays"[^>]*value="30"/);
    assert.match(page.text, /id="setting-disableClientManagement" name="disableClientManagement" checked/);
    assert.doesNotMatch(page.text, /id="setting-allowLeave" name="allowLeave" checked/);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['inviteLifetimeDays', '0', /Please enter a number from 1 to 90\./],
    ['inviteLifetimeDays', '91', /Please enter a number from 1 to 90\./],
    ['inviteLifetimeDays', 'seven', /Please enter a whole number\./],
    ['inviteLifetimeDays', '7.5', /Please enter a whole number\./],
    ['inviteLifetimeDays', '', /Please enter a whole number\./],
    ['maxUsersPerAccount', '-1', /Please enter a number from 0 to 100000\./],
    ['invitesPerHour', '0', /Please enter a number from 1 to 1000\./],
    ['invitesPerHour', '1e3', /Please enter a whole number\./],
    ['logRetentionDays', '-1', /Please enter a number from 0 to 36500\./],
  ];
  for (const [key, value, message] of invalid) {
    it(`refuses ${key}=${JSON.stringify(value)} with a message on the field and saves nothing`, async () => {
      await admin.post(SETTINGS, settingsForm({ inviteLifetimeDays: 10 }));
      const before = await storedSettings(tp);
      // A valid change of another field in the same form is not saved either.
      const res = await admin.post(SETTINGS, settingsForm({ maxUsersPerAccount: 9, allowLeave: false, [key]: value }));
      assert.equal(res.status, 422);
      assert.match(text(res.text), /Some settings are not valid\. Nothing was saved\./);
      assert.match(text(res.text), message);
      assert.match(
        res.text,
        new RegExp(
          `id="setting-${key}"[^>]*aria-describedby="setting-${key}-help setting-${key}-error" aria-invalid="true"`,
        ),
      );
      assert.match(res.text, new RegExp(`<p class="au-error" id="setting-${key}-error">`));
      assert.deepEqual(await storedSettings(tp), before);
      assert.equal(tp.portal.accountUsers.services.ctx.settings().inviteLifetimeDays, 10);
      assert.equal(tp.portal.accountUsers.services.ctx.settings().allowLeave, true);
    });
  }

  it('refuses a missing number field and saves nothing', async () => {
    const before = await storedSettings(tp);
    const form = settingsForm({});
    delete form.invitesPerHour;
    const res = await admin.post(SETTINGS, form);
    assert.equal(res.status, 422);
    assert.match(text(res.text), /Please enter a value\./);
    assert.deepEqual(await storedSettings(tp), before);
  });
});
