import type { SettingField } from '../manifest';

export interface SettingsFormResult {
  values: Record<string, unknown>;
  /** field key → lang/ key of the message, with its parameters */
  errors: Record<string, { key: string; params?: Record<string, unknown> }>;
}

/**
 * Reads a module's settings form as module.json declares it: numbers within their bounds,
 * yes/no as checkboxes. Nothing is saved unless every field is valid.
 */
export function readSettingsForm(fields: SettingField[], body: Record<string, unknown>): SettingsFormResult {
  const values: Record<string, unknown> = {};
  const errors: SettingsFormResult['errors'] = {};
  for (const field of fields) {
    const raw = body[field.key];
    if (field.type === 'yesno') {
      values[field.key] = raw === 'on' || raw === '1' || raw === 'true';
      continue;
    }
    if (typeof raw !== 'string') {
      errors[field.key] = { key: 'admin.settings.errors.required' };
      continue;
    }
    const value = raw.trim();
    if (field.type === 'number') {
      if (!/^-?[0-9]{1,9}$/.test(value)) {
        errors[field.key] = { key: 'admin.settings.errors.number' };
        values[field.key] = value;
        continue;
      }
      const n = Number(value);
      if ((field.min !== undefined && n < field.min) || (field.max !== undefined && n > field.max)) {
        errors[field.key] = { key: 'admin.settings.errors.range', params: { min: field.min, max: field.max } };
        values[field.key] = value;
        continue;
      }
      values[field.key] = n;
    } else if (field.type === 'dropdown') {
      if (!field.options?.includes(value)) errors[field.key] = { key: 'admin.settings.errors.option' };
      values[field.key] = value;
    } else {
      if (value.length > (field.maxLength ?? 255))
        errors[field.key] = { key: 'admin.settings.errors.tooLong', params: { max: field.maxLength ?? 255 } };
      values[field.key] = value;
    }
  }
  return { values, errors };
}
