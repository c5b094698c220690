import fs from 'node:fs';
import { packagePath } from './paths';

/** A settings field as module.json declares it; the host renders and validates its form from this. */
export interface SettingField {
  key: string;
  type: 'number' | 'yesno' | 'text' | 'dropdown';
  default: number | boolean | string;
  min?: number;
  max?: number;
  maxLength?: number;
  options?: string[];
  label: string;
  help: string;
}

export interface Manifest {
  id: string;
  name: string;
  version: string;
  /** The description in English, for hosts that show one language. */
  description: string;
  /**
   * The lang/ key of the description, for a host's Modules page in the reader's language
   * (`translator(locale)(descriptionKey)`).
   */
  descriptionKey: string;
  author: string;
  settings: SettingField[];
  permissions: string[];
}

// Read at run time, not imported: the build must not hold a second module.json that could drift.
export const manifest = JSON.parse(fs.readFileSync(packagePath('module.json'), 'utf8')) as Manifest;

export interface ModuleSettings {
  inviteLifetimeDays: number;
  maxUsersPerAccount: number;
  invitesPerHour: number;
  logRetentionDays: number;
  requireInvitedAddress: boolean;
  allowLeave: boolean;
  notifyOwnerOnAccept: boolean;
  notifyOwnerOnDecline: boolean;
  notifyPermissionsChanged: boolean;
  notifyAccessRemoved: boolean;
  notifyOwnerChanged: boolean;
  notifyAccessEnding: boolean;
  disableClientManagement: boolean;
}

/** The saved values over the manifest's defaults; a value of the wrong type falls back to the default. */
export function readSettings(saved: Record<string, unknown>): ModuleSettings {
  const out: Record<string, unknown> = {};
  for (const field of manifest.settings) {
    const value = saved[field.key];
    if (field.type === 'number') {
      const n = typeof value === 'number' ? value : Number(value);
      out[field.key] = value !== undefined && value !== '' && Number.isFinite(n) ? n : field.default;
    } else if (field.type === 'yesno') {
      out[field.key] =
        typeof value === 'boolean'
          ? value
          : value === undefined
            ? field.default
            : value === 'on' || value === '1' || value === 1;
    } else {
      out[field.key] = value ?? field.default;
    }
  }
  return out as unknown as ModuleSettings;
}
