import type { AdminNavbarPayload, HookHandler, HookRegistry, HostHookPayloads, MenuItem, NavbarPayload } from './module/contract';
import type { Deps } from './module/deps';
import { accountOf } from './module/guard';
import { onUserLogin } from './module/accounts/login';
import { tOf } from './module/render';
import { readyFor } from './module/request';

/**
 * The module's registrations in the host, one line each; every handler delegates to a service and
 * does nothing while the module is switched off. Each catches its own errors (logged), so a module
 * failure never breaks a host page, whatever the host's registry does with a throwing handler.
 */
export function registerHooks(hooks: HookRegistry, deps: Deps, clientPath: () => string, adminPath: () => string): () => void {
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
        ctx.host.logger.error(`account users: ${name} handler failed`, { err: err instanceof Error ? err.message : String(err) });
      }
    };
  }
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

function adminNavbar(payload: AdminNavbarPayload, base: string): void {
  payload.menu.push({ id: 'account-users', label: tOf(payload.req)('admin.navItem'), href: base, order: 50 });
}
