import type { ModuleContext } from './context';

/** The host's items a member's access can be narrowed to: services (`products`) and domains. */
export type ResourceKind = 'products' | 'domains';

/** Chosen item ids per kind; a kind left out means every item of it, those added later included. */
export type ResourceScopes = Partial<Record<ResourceKind, number[]>>;

/** The permissions whose reach a scope narrows, per kind. */
export const SCOPE_KINDS: Readonly<Record<ResourceKind, readonly string[]>> = {
  products: ['products', 'manageproducts', 'productsso'],
  domains: ['domains', 'managedomains'],
};

export const RESOURCE_KINDS = Object.keys(SCOPE_KINDS) as ResourceKind[];

export function isResourceKind(value: unknown): value is ResourceKind {
  return value === 'products' || value === 'domains';
}

/** The kind a permission key belongs to, if a scope narrows it. */
export function kindOfKey(key: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((kind) => SCOPE_KINDS[kind].includes(key));
}

/** The most items of one kind a scope holds (the form lists one account's services or domains). */
export const SCOPE_MAX_ITEMS = 500;

/** Stored as JSON; anything unreadable counts as no scope (every item), as before scopes existed. */
export function parseStoredScopes(value: unknown): ResourceScopes {
  if (typeof value !== 'string' || value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object') return {};
  const out: ResourceScopes = {};
  for (const kind of RESOURCE_KINDS) {
    const ids = (parsed as Record<string, unknown>)[kind];
    if (Array.isArray(ids)) out[kind] = ids.filter((id): id is number => Number.isInteger(id));
  }
  return out;
}

export function storeScopes(scopes: ResourceScopes): string | null {
  const kinds = RESOURCE_KINDS.filter((kind) => scopes[kind] !== undefined);
  return kinds.length === 0 ? null : JSON.stringify(Object.fromEntries(kinds.map((k) => [k, scopes[k]])));
}

/**
 * The scopes that apply to an access: none with All Permissions (every item), and only for kinds
 * the set holds a permission of, so a scope never outlives the permissions it narrows.
 */
export function scopesFor(access: { all: boolean; keys: string[] }, scopes: ResourceScopes): ResourceScopes {
  if (access.all) return {};
  const out: ResourceScopes = {};
  for (const kind of RESOURCE_KINDS) {
    const ids = scopes[kind];
    if (ids && SCOPE_KINDS[kind].some((k) => access.keys.includes(k))) out[kind] = ids;
  }
  return out;
}

export function sameScopes(a: ResourceScopes, b: ResourceScopes): boolean {
  return storeScopes(a) === storeScopes(b);
}

/** The kinds the host can list items of, so the forms offer a choice of items (none without `resources`). */
export function scopableKinds(ctx: ModuleContext): ResourceKind[] {
  return ctx.host.accounts.resources
    ? RESOURCE_KINDS.filter((k) => SCOPE_KINDS[k].some((p) => ctx.catalogue.has(p)))
    : [];
}

/** `scope_<kind>` ('all' or 'chosen') and repeated `items_<kind>` of a posted access form, as strings only. */
export function scopeFields(body: unknown): Record<ResourceKind, { mode: string; items: string[] }> {
  const b = (body ?? {}) as Record<string, unknown>;
  const read = (kind: ResourceKind) => {
    const raw = b[`items_${kind}`];
    const items = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const mode = b[`scope_${kind}`];
    return {
      mode: typeof mode === 'string' ? mode : 'all',
      items: items.filter((v): v is string => typeof v === 'string').slice(0, SCOPE_MAX_ITEMS),
    };
  };
  return { products: read('products'), domains: read('domains') };
}

/** One account's items of one kind, as the host lists them (empty without `resources`). */
export async function resourcesOf(
  ctx: ModuleContext,
  accountId: number,
  kind: ResourceKind,
): Promise<Array<{ id: number; label: string }>> {
  const { accounts } = ctx.host;
  return accounts.resources ? accounts.resources(accountId, kind) : [];
}

/**
 * Checks the posted choice of items for an access choice. For each kind the access holds a
 * permission of, "chosen" needs at least one item, and every item must be one of the account's
 * own as the host lists them now (another account's service is refused, never stored).
 * Returns the scopes to store, or an error key for the permissions field; nothing is saved then.
 */
export async function parseScopeChoice(
  ctx: ModuleContext,
  accountId: number,
  access: { all: boolean; keys: string[] },
  fields: Record<ResourceKind, { mode: string; items: string[] }>,
): Promise<{ scopes: ResourceScopes } | { error: string }> {
  const scopes: ResourceScopes = {};
  if (access.all) return { scopes };
  for (const kind of scopableKinds(ctx)) {
    if (!SCOPE_KINDS[kind].some((k) => access.keys.includes(k))) continue;
    const { mode, items } = fields[kind];
    if (mode === 'all') continue;
    if (mode !== 'chosen') return { error: 'scopes.errors.choose' };
    if (items.some((v) => !/^[1-9][0-9]{0,9}$/.test(v))) return { error: 'scopes.errors.unknown' };
    const ids = [...new Set(items.map(Number))].sort((a, b) => a - b);
    if (ids.length === 0) return { error: `scopes.errors.none.${kind}` };
    const own = new Set((await resourcesOf(ctx, accountId, kind)).map((r) => Number(r.id)));
    if (ids.some((id) => !own.has(id))) return { error: 'scopes.errors.unknown' };
    scopes[kind] = ids;
  }
  return { scopes };
}

/**
 * What a form's choice of items shows: per kind the host can list, its items, whether "all" or
 * "chosen" is picked and the ticked ids (the stored scope, or what was posted). For a user manager
 * whose own access narrows a kind (`grantor`, their scopes), only their items and those the person
 * reaches now (`before`) are listed, and "all" is off (`allOff`) unless the person has it already.
 */
export async function scopeFormData(
  ctx: ModuleContext,
  accountId: number,
  state: {
    scopes?: ResourceScopes;
    posted?: Record<ResourceKind, { mode: string; items: string[] }>;
    grantor?: ResourceScopes;
    before?: { all: boolean; keys: string[]; scopes: ResourceScopes } | null;
  },
): Promise<
  Array<{
    kind: ResourceKind;
    items: Array<{ id: number; label: string }>;
    mode: string;
    chosen: number[];
    allOff: boolean;
  }>
> {
  const out = [];
  for (const kind of scopableKinds(ctx)) {
    const own = state.grantor?.[kind];
    const before = state.before;
    const heldKind = Boolean(before && (before.all || SCOPE_KINDS[kind].some((k) => before.keys.includes(k))));
    const heldIds = before ? scopesFor(before, before.scopes)[kind] : undefined;
    const allOff = Boolean(own) && !(heldKind && !heldIds);
    const listed = own ? new Set([...own, ...(heldKind ? (heldIds ?? []) : [])]) : null;
    const items = (await resourcesOf(ctx, accountId, kind)).filter((r) => !listed || listed.has(Number(r.id)));
    const posted = state.posted?.[kind];
    const stored = state.scopes?.[kind];
    const mode = posted ? (posted.mode === 'chosen' ? 'chosen' : 'all') : stored ? 'chosen' : 'all';
    out.push({
      kind,
      items,
      mode: allOff ? 'chosen' : mode,
      chosen: posted ? posted.items.map(Number) : (stored ?? []),
      allOff,
    });
  }
  return out;
}
