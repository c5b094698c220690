import { manifest } from './manifest';
import type { Translate } from './i18n';

/**
 * The areas the permission forms group their boxes in, each a fieldset with a legend
 * (`permissionGroup.<id>` in lang/). A host's own keys go to a last group, `other`.
 */
export const PERMISSION_GROUPS: ReadonlyArray<{ id: string; keys: readonly string[] }> = [
  { id: 'account', keys: ['profile', 'contacts', 'emails'] },
  { id: 'services', keys: ['products', 'manageproducts', 'productsso'] },
  { id: 'domains', keys: ['domains', 'managedomains'] },
  { id: 'billing', keys: ['invoices', 'quotes', 'affiliates', 'orders'] },
  { id: 'support', keys: ['tickets'] },
];

/**
 * A permission that is of no use without another: managing (or signing in to) services needs
 * seeing them, managing domains needs seeing them. A saved choice always holds both.
 */
export const PERMISSION_NEEDS: Readonly<Record<string, string>> = {
  manageproducts: 'products',
  productsso: 'products',
  managedomains: 'domains',
};

/** Common sets the forms offer as buttons that fill the boxes (`permissionPreset.<id>` in lang/). */
export const PERMISSION_PRESETS: ReadonlyArray<{ id: string; keys: readonly string[] }> = [
  { id: 'billing', keys: ['invoices', 'quotes'] },
  { id: 'technical', keys: ['products', 'manageproducts', 'productsso', 'domains', 'managedomains', 'tickets'] },
];

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

  /** The catalogue in its form groups, each in catalogue order; empty groups left out, the host's keys last. */
  groups(): Array<{ id: string; keys: string[] }> {
    const grouped = new Set(PERMISSION_GROUPS.flatMap((g) => g.keys));
    const groups = PERMISSION_GROUPS.map((g) => ({ id: g.id, keys: this.keys.filter((k) => g.keys.includes(k)) }));
    groups.push({ id: 'other', keys: this.keys.filter((k) => !grouped.has(k)) });
    return groups.filter((g) => g.keys.length > 0);
  }

  /** The presets whose keys are all in the catalogue. */
  presets(): Array<{ id: string; keys: string[] }> {
    return PERMISSION_PRESETS.filter((p) => p.keys.every((k) => this.has(k))).map((p) => ({
      id: p.id,
      keys: [...p.keys],
    }));
  }

  /** The key this one is of no use without (View for Manage), when the catalogue has it. */
  needs(key: string): string | undefined {
    const needed = PERMISSION_NEEDS[key];
    return needed !== undefined && this.has(needed) ? needed : undefined;
  }

  /** The keys with what each needs added, in catalogue order. */
  complete(keys: readonly string[]): string[] {
    const out = new Set(keys);
    for (const k of keys) {
      const needed = this.needs(k);
      if (needed) out.add(needed);
    }
    return this.keys.filter((k) => out.has(k));
  }

  /**
   * Checks a submitted access choice. Returns the keys to store, or an error key when the choice
   * is empty, names a key that does not exist, or is All Permissions with ticked keys; nothing is saved in that case.
   * A Manage permission sent without its View permission gets it added (`complete`): the owner
   * meant the person to manage what they can see, so the choice is completed, not refused.
   * A field check, not a refusal: a caller puts the error key beside the permissions field, with
   * its other fields' errors (a service in one Refusal's `fieldErrors`).
   */
  parseChoice(access: unknown, permissions: unknown): { all: boolean; keys: string[] } | { error: string } {
    const raw = permissions === undefined ? [] : Array.isArray(permissions) ? permissions : [permissions];
    // Ticked boxes sent with All Permissions mean the person meant a set: never guess which.
    if (access === 'all')
      return raw.length === 0 ? { all: true, keys: [] } : { error: 'permissions.errors.allWithKeys' };
    if (access !== 'choose') return { error: 'permissions.errors.chooseAccess' };
    if (raw.some((k) => typeof k !== 'string' || !this.has(k))) return { error: 'permissions.errors.unknown' };
    const keys = [...new Set(raw as string[])];
    if (keys.length === 0) return { error: 'permissions.errors.none' };
    // Catalogue order, so summaries and stored values read the same everywhere.
    return { all: false, keys: this.complete(keys) };
  }

  label(t: Translate, key: string): string {
    return t(`permission.${key}.label`);
  }

  /** "All permissions", or the chosen labels in catalogue order. */
  summary(t: Translate, member: { allPermissions: boolean; permissions: string[] }): string {
    if (member.allPermissions) return t('permissions.all');
    return this.keys
      .filter((k) => member.permissions.includes(k))
      .map((k) => this.label(t, k))
      .join(', ');
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
