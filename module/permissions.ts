import { manifest } from './manifest';
import type { Translate } from './i18n';

/**
 * The permission catalogue: module.json's keys plus any a host adds. A member with
 * `all_permissions` holds every key, including keys added after the grant.
 */
export class PermissionCatalogue {
  readonly keys: readonly string[];

  constructor(extraKeys: string[] = []) {
    this.keys = [...new Set([...manifest.permissions, ...extraKeys])];
  }

  has(key: string): boolean {
    return this.keys.includes(key);
  }

  /**
   * Checks a submitted access choice. Returns the keys to store, or an error key when the choice
   * is empty, names a key that does not exist, or is All Permissions with ticked keys; nothing is saved in that case.
   */
  parseChoice(access: unknown, permissions: unknown): { all: boolean; keys: string[] } | { error: string } {
    const raw = permissions === undefined ? [] : Array.isArray(permissions) ? permissions : [permissions];
    // Ticked boxes sent with All Permissions mean the person meant a set: never guess which.
    if (access === 'all') return raw.length === 0 ? { all: true, keys: [] } : { error: 'permissions.errors.allWithKeys' };
    if (access !== 'choose') return { error: 'permissions.errors.chooseAccess' };
    if (raw.some((k) => typeof k !== 'string' || !this.has(k))) return { error: 'permissions.errors.unknown' };
    const keys = [...new Set(raw as string[])];
    if (keys.length === 0) return { error: 'permissions.errors.none' };
    // Keep catalogue order so summaries and stored values read the same everywhere.
    return { all: false, keys: this.keys.filter((k) => keys.includes(k)) };
  }

  label(t: Translate, key: string): string {
    return t(`permission.${key}.label`);
  }

  /** "All permissions", or the chosen labels in catalogue order. */
  summary(t: Translate, member: { allPermissions: boolean; permissions: string[] }): string {
    if (member.allPermissions) return t('permissions.all');
    return this.keys.filter((k) => member.permissions.includes(k)).map((k) => this.label(t, k)).join(', ');
  }
}

export function allows(member: { allPermissions: boolean; permissions: string[] }, key: string): boolean {
  return member.allPermissions || member.permissions.includes(key);
}

/** Stored as a JSON array of keys; anything unreadable counts as no permissions. */
export function parseStoredPermissions(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string' || value === '') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
