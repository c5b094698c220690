import assert from 'node:assert/strict';
import { manifest } from '../../module/manifest';
import type { Client, TestPortal } from '../helpers/portal';
import { TABLES } from '../../module/tables';
import { allRows } from '../helpers/db';

/** The form as a browser sends it: every number field, and the ticked checkboxes only. */
export function settingsForm(values: Record<string, number | boolean | string>): Record<string, string> {
  const form: Record<string, string> = {};
  for (const f of manifest.settings) {
    const v = f.key in values ? values[f.key] : f.default;
    if (f.type === 'yesno') {
      if (v === true) form[f.key] = 'on';
    } else form[f.key] = String(v);
  }
  return form;
}

/** The module's own settings page in the portal's admin area. */
export const SETTINGS = '/admin/modules/account_users/settings';

/** Saves settings on the module's settings page, as the admin does; the portal keeps running. */
export async function saveSettings(client: Client, values: Record<string, number | boolean | string>): Promise<void> {
  const res = await client.post(SETTINGS, settingsForm(values));
  assert.equal(res.status, 303, `saving settings answered ${res.status}`);
}

/** The settings as stored in the module's own table. */
export async function storedSettings(tp: TestPortal): Promise<Record<string, unknown>> {
  const rows = await allRows(tp, TABLES.settings);
  return Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.value)]));
}
