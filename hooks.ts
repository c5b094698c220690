import type {
  AdminNavbarPayload,
  HookHandler,
  HookRegistry,
  HostHookPayloads,
  MenuItem,
  NavbarPayload,
} from './module/contract';
import type { Deps } from './module/deps';
import { accountOf, waitingOf } from './module/guard';
import { onUserLogin } from './module/accounts/login';
import { tOf } from './module/render';
import { readyFor, userOf } from './module/request';
import { generateToken } from './module/csrf';
import { describeAccounts } from './module/accounts/describe';
import { returnAddressOf, returnFields } from './module/accounts/landing';

/** How many recent accounts the account menu offers as one-click switches. */
export const RECENT_IN_MENU = 5;

/**
 * The module's registrations in the host, one line each; every handler delegates to a service and
 * does nothing while the module is switched off. Each catches its own errors (logged), so a module
 * failure never breaks a host page, whatever the host's registry does with a throwing handler.
 */
export function registerHooks(
  hooks: HookRegistry,
  deps: Deps,
  clientPath: () => string,
  adminPath: () => string,
): () => void {
  const { ctx } = deps;
  const handlers: Array<[string, HookHandler]> = [];
  const on = <K extends keyof HostHookPayloads>(name: K, fn: (payload: HostHookPayloads[K]) => Promise<unknown>) =>
    handlers.push([name, caught(name, fn as HookHandler)]);
  on('ClientAreaNavbar', async (p) => (await readyFor(ctx, p.req)) && clientNavbar(deps, p, clientPath()));
  on('UserLogin', async (p) => (await readyFor(ctx, p.req)) && onUserLogin(deps, p));
  on('AccountCreated', async (p) => (await ctx.ready()) && deps.members.ownAccountCreated(p.accountId));
  on('AccountDeleted', async (p) => (await ctx.ready()) && deps.members.forgetAccount(p.accountId));
  on('UserDeleted', async (p) => (await ctx.ready()) && deps.members.forgetUser(p.userId));
  on('AdminNavbar', async (p) => (await readyFor(ctx, p.req, 'admin')) && adminNavbar(p, adminPath()));
  for (const [name, fn] of handlers) hooks.on(name, fn);
  return () => handlers.forEach(([name, fn]) => hooks.off(name, fn));

  function caught(name: string, fn: HookHandler): HookHandler {
    return async (payload: unknown) => {
      try {
        await fn(payload);
      } catch (err) {
        ctx.host.logger.error(`account users: ${name} handler failed`, {
          err: err instanceof Error ? err.message : String(err),
        });
      }
    };
  }
}

/**
 * Hides what the account's user may not open; adds User Management, Ownership offers (when one
 * waits for the person's answer), Invitations (with their count, when some wait), Switch Account
 * (with the recent accounts as one-click switches and a search box) and, for a person with no other
 * account to switch to, Leave this account at the bottom behind a separator (otherwise Leave is on
 * the Switch Account page).
 */
async function clientNavbar(deps: Deps, payload: NavbarPayload, base: string): Promise<void> {
  const { ctx } = deps;
  const account = accountOf(payload.req);
  if (!account) return;
  const t = tOf(payload.req);
  const settings = ctx.settings();
  const extra: MenuItem[] = [];
  // The owner and user managers (`can` holds `manageusers` for the owner too).
  if (account.can('manageusers') && !settings.disableClientManagement) {
    extra.push({ id: 'account-users', label: t('nav.userManagement'), href: `${base}/users`, order: 50 });
  }
  // Invitations waiting for this person in other accounts, with their count; none, no item.
  const user = userOf(payload.req);
  // Read with the membership by the guard on guarded pages; counted here on the others.
  const waiting = waitingOf(payload.req);
  const invitations = waiting?.invitations ?? (user ? await deps.invitesService.countAddressedTo(user) : 0);
  if (invitations > 0) {
    extra.push({
      id: 'invitations',
      label: t('invitations.navItem'),
      href: `${base}/invitations`,
      badge: String(invitations),
      order: 85,
    });
  }
  // Offers of ownership waiting for this person's answer, in any of their accounts, with their count.
  const offers =
    waiting?.offers ??
    (user && deps.ownership.available() ? await deps.ownership.offers.countOpenTo(user.id, ctx.now()) : 0);
  if (offers > 0) {
    extra.push({
      id: 'ownership-offers',
      label: t('ownership.offers.navItem'),
      href: `${base}/ownership/offers`,
      badge: String(offers),
      order: 45,
    });
  }
  // The section of this page, read from the menus as the host declared them (before they are
  // filtered); only the switch forms need it.
  const menus = [...payload.primary, ...payload.account, ...extra];
  const visible = (items: MenuItem[]): MenuItem[] =>
    items
      .filter((item) => !item.permission || account.can(item.permission))
      .map((item) => (item.children ? { ...item, children: visible(item.children) } : item))
      .filter((item) => !item.children || item.children.length > 0 || item.href);
  payload.primary.splice(0, payload.primary.length, ...visible(payload.primary));
  payload.account.splice(0, payload.account.length, ...visible(payload.account));
  // Fresh from the guard's query when it ran; the session's note from login or the chooser otherwise.
  const switching = account.otherAccounts ?? payload.req.session?.accountUsers?.multi;
  if (switching) {
    const back = returnAddressOf(ctx, payload.req, base, menus);
    extra.push(await switchItem(deps, payload, base, account.id, account.name, returnFields(back)));
  } else if (!account.isOwner && settings.allowLeave) {
    extra.push({ id: 'leave-account', label: t('leave.navItem'), href: `${base}/leave`, order: 95, separator: true });
  }
  payload.account.push(...extra);
  payload.account.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

/**
 * Switch Account: the link to the full list (with the current account's name), and under it the
 * person's most recent other accounts as one-click POST forms carrying this page's section, then a
 * search box (a GET form to the Switch Account page, so it works without script).
 */
async function switchItem(
  deps: Deps,
  payload: NavbarPayload,
  base: string,
  currentId: number,
  currentName: string,
  keep: Record<string, string>,
): Promise<MenuItem> {
  const { ctx, accountsRepo } = deps;
  const req = payload.req;
  const t = tOf(req);
  const user = userOf(req);
  const query = new URLSearchParams(keep).toString();
  const page = `${base}/switch${query ? `?${query}` : ''}`;
  const recent = user ? await accountsRepo.recent(user.id, currentId, RECENT_IN_MENU) : [];
  const details = await describeAccounts(
    ctx,
    recent.map((r) => r.accountId),
  );
  const token = req.session ? generateToken(req) : '';
  const children: MenuItem[] = recent.map((r) => ({
    id: `switch-to-${r.accountId}`,
    label: r.accountName,
    detail: details.get(r.accountId),
    href: page,
    form: {
      method: 'POST',
      action: `${base}/switch`,
      fields: { _csrf: token, accountId: String(r.accountId), ...keep },
    },
  }));
  children.push({
    id: 'switch-search',
    label: t('common.search'),
    href: page,
    form: { method: 'GET', action: `${base}/switch`, fields: keep, input: { name: 'q', label: t('switch.search') } },
  });
  return {
    id: 'switch-account',
    label: t('nav.switchAccount'),
    href: page,
    badge: currentName,
    order: 90,
    separator: true,
    children,
  };
}

function adminNavbar(payload: AdminNavbarPayload, base: string): void {
  payload.menu.push({ id: 'account-users', label: tOf(payload.req)('admin.navItem'), href: base, order: 50 });
}
