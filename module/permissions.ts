import { manifest } from './manifest';
import type { Translate } from './i18n';
import { RESOURCE_KINDS, SCOPE_KINDS, scopesFor, type ResourceKind, type ResourceScopes } from './scopes';

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

/**
 * Keys All Permissions does not imply: a member holds them only when they are stored for them,
 * also beside All Permissions (the forms show them apart from the access choice, and the stored
 * list keeps them when `all_permissions` is set). `manageusers` lets a member manage the account's
 * users within their own access; All Permissions alone never makes someone a user manager.
 */
export const SEPARATE_KEYS: readonly string[] = ['manageusers'];

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

  /** The keys All Permissions does not imply that the catalogue has, shown apart on the forms. */
  separate(): string[] {
    return this.keys.filter((k) => SEPARATE_KEYS.includes(k));
  }

  /** The keys All Permissions holds: the catalogue without the separate ones. */
  implied(): string[] {
    return this.keys.filter((k) => !SEPARATE_KEYS.includes(k));
  }

  /**
   * The catalogue in its form groups, each in catalogue order; empty groups left out, the host's
   * keys last. The separate keys are in none: the forms show them beside the access choice.
   */
  groups(): Array<{ id: string; keys: string[] }> {
    const grouped = new Set([...PERMISSION_GROUPS.flatMap((g) => g.keys), ...SEPARATE_KEYS]);
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
    if (access !== 'all' && access !== 'choose') return { error: 'permissions.errors.chooseAccess' };
    if (raw.some((k) => typeof k !== 'string' || !this.has(k))) return { error: 'permissions.errors.unknown' };
    const keys = [...new Set(raw as string[])];
    if (access === 'all') {
      // Ticked boxes sent with All Permissions mean the person meant a set: never guess which. The
      // separate keys are not in that set: they go with All Permissions too.
      if (keys.some((k) => !SEPARATE_KEYS.includes(k))) return { error: 'permissions.errors.allWithKeys' };
      return { all: true, keys: this.keys.filter((k) => keys.includes(k)) };
    }
    if (keys.length === 0) return { error: 'permissions.errors.none' };
    // Catalogue order, so summaries and stored values read the same everywhere.
    return { all: false, keys: this.complete(keys) };
  }

  label(t: Translate, key: string): string {
    return t(`permission.${key}.label`);
  }

  /** "All permissions" (with any separate key held beside it), or the chosen labels in catalogue order. */
  summary(t: Translate, member: { allPermissions: boolean; permissions: string[] }): string {
    const held = (k: string) => member.permissions.includes(k);
    const labels = member.allPermissions
      ? [
          t('permissions.all'),
          ...this.separate()
            .filter(held)
            .map((k) => this.label(t, k)),
        ]
      : this.keys.filter(held).map((k) => this.label(t, k));
    return labels.join(', ');
  }

  /** The keys a member holds: with All Permissions every implied key, and the separate keys they hold. */
  effective(member: { allPermissions: boolean; permissions: string[] }): string[] {
    return this.keys.filter((k) => allows(member, k));
  }
}

/** Whether a member holds a key; All Permissions holds every key but the separate ones (`manageusers`). */
export function allows(member: { allPermissions: boolean; permissions: string[] }, key: string): boolean {
  if (member.permissions.includes(key)) return true;
  return member.allPermissions && !SEPARATE_KEYS.includes(key);
}

/** The access stored and logged for a choice: with All Permissions only the separate keys are kept. */
export function storedKeys(all: boolean, keys: readonly string[]): string[] {
  return all ? keys.filter((k) => SEPARATE_KEYS.includes(k)) : [...keys];
}

/** How a log entry records an access: 'all', 'all' with separate keys, or the chosen keys. */
export function accessDetail(access: { all: boolean; keys: readonly string[] }): unknown {
  if (!access.all) return [...access.keys];
  const extra = storedKeys(true, access.keys);
  return extra.length > 0 ? { all: true, keys: extra } : 'all';
}

/**
 * Who grants access, as far as the limits on granting go: the owner, staff and the system grant
 * anything; a user manager (`manageusers`) only what they hold themselves, and of services and
 * domains only the items their own access reaches (`scopes`, as `scopesFor` gives them).
 */
export type Grantor =
  | { unlimited: true }
  | {
      unlimited: false;
      userId: number;
      allPermissions: boolean;
      permissions: string[];
      scopes: ResourceScopes;
      /** When the manager's own access ends (null: never): nothing they grant may outlast it. */
      accessUntil: number | null;
    };

/** An access as the limits on granting read it: its keys and, narrowing them, its chosen items. */
type HeldAccess = {
  allPermissions: boolean;
  permissions: string[];
  scopes?: ResourceScopes;
  accessUntil?: number | null;
};

/**
 * The items of one kind an access reaches: none without a permission of the kind, 'all' without
 * a scope of it (items added later included), else the chosen ids.
 */
function reachOf(
  access: { all: boolean; keys: readonly string[] },
  scopes: ResourceScopes,
  kind: ResourceKind,
): number[] | 'all' {
  const member = { allPermissions: access.all, permissions: [...access.keys] };
  if (!SCOPE_KINDS[kind].some((k) => allows(member, k))) return [];
  return scopesFor({ all: access.all, keys: [...access.keys] }, scopes)[kind] ?? 'all';
}

/**
 * The check of the services and domains a user manager asks to grant, for each kind their own
 * access narrows to chosen items: what the choice reaches beyond what the person reaches now must
 * be among the manager's items, and is never "all". A permission of the kind new to the person
 * applies to every item they reach, so then everything the choice reaches is checked.
 */
function scopeRefusal(
  grantor: Extract<Grantor, { unlimited: false }>,
  choice: { all: boolean; keys: readonly string[]; scopes?: ResourceScopes },
  had: HeldAccess,
): string | null {
  for (const kind of RESOURCE_KINDS) {
    const own = grantor.scopes[kind];
    if (!own) continue;
    const wants = reachOf(choice, choice.scopes ?? {}, kind);
    const holds = reachOf({ all: had.allPermissions, keys: had.permissions }, had.scopes ?? {}, kind);
    const newKey = SCOPE_KINDS[kind].some(
      (k) => allows({ allPermissions: choice.all, permissions: [...choice.keys] }, k) && !allows(had, k),
    );
    const kept = newKey ? [] : holds;
    if (wants === 'all') {
      if (kept !== 'all') return 'members.errors.grantAllItems';
      continue;
    }
    const added = kept === 'all' ? [] : wants.filter((id) => !kept.includes(id));
    if (added.some((id) => !own.includes(id))) return 'members.errors.grantItemsBeyond';
  }
  return null;
}

/**
 * The one check of what a user manager asks to grant. `before` is the access the person or
 * invitation has now (none for a new invitation): keeping or taking away access is no grant, so
 * only what the choice adds is checked. All Permissions is granted only by someone who holds it,
 * and any key only by someone who holds it (so `manageusers` only by a user manager, who does);
 * services and domains only within the manager's own items (`scopeRefusal`). A choice's `scopes`
 * are those it would store (the kept ones when the form does not choose them).
 * Returns the refusal's message key, or null when the grant is within the grantor's access.
 */
export function grantRefusal(
  grantor: Grantor,
  choice: { all: boolean; keys: readonly string[]; scopes?: ResourceScopes; accessUntil?: number | null },
  before: HeldAccess | null,
): string | null {
  if (grantor.unlimited) return null;
  const had = before ?? { allPermissions: false, permissions: [] };
  if (choice.all && !had.allPermissions && !grantor.allPermissions) return 'members.errors.grantAll';
  const added = choice.keys.filter((k) => !allows(had, k));
  if (added.some((k) => !allows(grantor, k))) return 'members.errors.grantBeyond';
  const items = scopeRefusal(grantor, choice, had);
  if (items) return items;
  // A manager whose own access ends can give access only until then: whatever the change adds, or a
  // new end date, must end no later than theirs. Taking access away stays possible.
  if (grantor.accessUntil !== null) {
    const endsBefore = before?.accessUntil ?? null;
    const ends = choice.accessUntil === undefined ? endsBefore : choice.accessUntil;
    const adds = before === null || (choice.all && !had.allPermissions) || added.length > 0;
    const movesEnd = choice.accessUntil !== undefined && choice.accessUntil !== endsBefore;
    if ((adds || movesEnd) && (ends === null || ends > grantor.accessUntil)) return 'members.errors.grantBeyondUntil';
  }
  return null;
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
