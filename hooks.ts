import type { HookHandler, HookRegistry, MenuItem, NavbarPayload, UserLoginPayload } from './module/contract';
import type { Deps } from './module/deps';
import { accountOf } from './module/guard';
import { onUserLogin } from './module/accounts/login';
import { tOf } from './module/render';

/**
 * The module's registrations in the host, one line each; every handler delegates to a service and
 * does nothing while the module is switched off. The host catches a failing handler, so a module
 * error never breaks a host page.
 */
export function registerHooks(hooks: HookRegistry, deps: Deps, clientPath: () => string, adminPath: () => string): () => void {
  const active = () => deps.ctx.host.isActive();
  const registrations: Array<[string, HookHandler]> = [
    ['ClientAreaNavbar', (p: NavbarPayload) => active() && clientNavbar(deps, p, clientPath())],
    ['UserLogin', (p: UserLoginPayload) => active() && onUserLogin(deps, p)],
    ['AccountDeleted', (p: { accountId: number }) => active() && deps.members.forgetAccount(p.accountId)],
    ['UserDeleted', (p: { userId: number }) => active() && deps.members.forgetUser(p.userId)],
    ['AdminNavbar', (p: { menu: MenuItem[]; t: (k: string) => string }) => active() && adminNavbar(p, adminPath())],
  ];
  for (const [name, fn] of registrations) hooks.on(name, fn);
  return () => registrations.forEach(([name, fn]) => hooks.off(name, fn));
}

/** Hides what the account's user may not open; adds User Management, Leave account and Switch Account. */
function clientNavbar(deps: Deps, payload: NavbarPayload, base: string): void {
  const account = accountOf(payload.req);
  if (!account) return;
  const t = tOf(payload.req);
  const visible = (items: MenuItem[]): MenuItem[] =>
    items
      .filter((item) => !item.permission || account.can(item.permission))
      .map((item) => (item.children ? { ...item, children: visible(item.children) } : item))
      .filter((item) => !item.children || item.children.length > 0 || item.href);
  payload.primary.splice(0, payload.primary.length, ...visible(payload.primary));
  payload.account.splice(0, payload.account.length, ...visible(payload.account));
  const extra: MenuItem[] = [];
  if (account.isOwner && !deps.ctx.settings().disableClientManagement) {
    extra.push({ id: 'account-users', label: t('nav.userManagement'), href: `${base}/users`, order: 50 });
  }
  if (!account.isOwner && deps.ctx.settings().allowLeave) {
    extra.push({ id: 'leave-account', label: t('leave.navItem'), href: `${base}/leave`, order: 85 });
  }
  // Fresh from the guard's query when it ran; the session's note from login or the chooser otherwise.
  if (account.otherAccounts ?? payload.req.session?.accountUsers?.multi) {
    extra.push({ id: 'switch-account', label: t('nav.switchAccount'), href: `${base}/switch`, badge: account.name, order: 90 });
  }
  payload.account.push(...extra);
  payload.account.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

function adminNavbar(payload: { menu: MenuItem[]; t: (k: string) => string }, base: string): void {
  payload.menu.push({ id: 'account-users', label: payload.t('admin.navItem'), href: base, order: 50 });
}
