import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ModuleContext } from './context';
import type { HostUser } from './contract';
import { MembersRepo, type Membership } from './members/repo';
import { allows } from './permissions';
import { flash, sessionAccountId, takeLanding } from './session';
import { renderPage, signInUrl, tOf } from './render';
import { localeOf, nameOf, readyFor, timeZoneOf, userOf } from './request';
import { formatDate } from './i18n';
import { lastDayOf } from './members/until';
import { safeReturnPath } from './safe-return';
import type { AccountsRepo, CurrentMembership, Waiting, WaitingQueries } from './accounts/repo';
import { changesState, formAccountId, refuseOtherAccount } from './form-account';
import { enterAccount, leaveAccount } from './accounts/session';
import { isResourceKind, scopesFor, type ResourceKind, type ResourceScopes } from './scopes';

/** A guard's options: `resource` narrows an item's page or action to the member's chosen items. */
export interface GuardOptions {
  /** The route parameter holding the item's id, and its kind: an item outside the member's scope answers 404. */
  resource?: { kind: ResourceKind; param: string };
}

/** The account a request works in, as the module exposes it to the host (`res.locals.account`). */
export interface AccountContext {
  id: number;
  name: string;
  isOwner: boolean;
  allPermissions: boolean;
  /**
   * Effective keys: the whole catalogue for owners; for All Permissions the catalogue without
   * `manageusers`, unless that is held beside it.
   */
  permissions: string[];
  can(key: string): boolean;
  /** The user has another open account to switch to (shows the Switch Account menu item). */
  otherAccounts?: boolean;
}

export function toAccountContext(ctx: ModuleContext, m: Membership & { otherAccounts?: boolean }): AccountContext {
  const member = { allPermissions: m.allPermissions, permissions: m.permissions };
  return {
    id: m.accountId,
    name: m.accountName,
    isOwner: m.isOwner,
    allPermissions: m.allPermissions,
    permissions: m.isOwner ? [...ctx.catalogue.keys] : ctx.catalogue.effective(member),
    // The owner manages users without holding `manageusers`.
    can: (key) => m.isOwner || allows(member, key),
    otherAccounts: m.otherAccounts,
  };
}

export function accountOf(req: Request): AccountContext | undefined {
  return req.res?.locals.account as AccountContext | undefined;
}

const waitingByRequest = new WeakMap<Request, Waiting>();

const scopesByRequest = new WeakMap<Request, ResourceScopes>();

/**
 * The ids of the items of `kind` the request's member may see and act on, or null for every item
 * (owners, All Permissions, no scope of that kind, or no guarded account). Read from the guard's
 * membership row: no query of its own.
 */
export function allowedResourceIds(req: Request, kind: ResourceKind): number[] | null {
  if (!isResourceKind(kind)) throw new Error(`unknown resource kind: ${String(kind)}`);
  const ids = scopesByRequest.get(req)?.[kind];
  return ids ? [...ids] : null;
}

/** The request member's chosen items per kind, as `allowedResourceIds` reads them; {} for every item. */
export function scopesOf(req: Request): ResourceScopes {
  return { ...scopesByRequest.get(req) };
}

/** The account menu's counts, when the guard read them with the request's membership; else undefined. */
export function waitingOf(req: Request): Waiting | undefined {
  return waitingByRequest.get(req);
}

export interface Guards {
  /** Loads the session's account (one indexed query) and, with a key, requires that permission. */
  requirePermission(key?: string | null, options?: GuardOptions): RequestHandler;
  /** Path of the account chooser, under wherever the host mounted the client app. */
  chooserPath(returnTo?: string): string;
}

export function createGuards(
  ctx: ModuleContext,
  repo: MembersRepo,
  accounts: AccountsRepo,
  clientMountPath: () => string,
  waitingFor?: (user: HostUser) => WaitingQueries,
  /** Logs an ended membership the first time a request meets it (once, whatever runs at once). */
  accessEnded?: (membership: CurrentMembership) => Promise<unknown>,
): Guards {
  const chooserPath = (returnTo?: string): string => {
    const safe = safeReturnPath(returnTo);
    return `${clientMountPath()}/switch${safe ? `?returnTo=${encodeURIComponent(safe)}` : ''}`;
  };

  async function resolve(req: Request, res: Response, user: HostUser): Promise<CurrentMembership | 'handled'> {
    const chosen = sessionAccountId(req);
    const posting = changesState(req);
    // The menu's counts only for a page that shows the menu: a form's answer is nearly always a
    // redirect (a refused one that shows a page counts them there, in the navbar hook).
    const waiting = posting ? undefined : waitingFor?.(user);
    const refuse = async (current: CurrentMembership | undefined): Promise<'handled'> => {
      if (current) res.locals.account = toAccountContext(ctx, current);
      await refuseOtherAccount(ctx, accounts, req, res, current, `${clientMountPath()}/switch`);
      return 'handled';
    };
    if (chosen !== undefined) {
      const membership = await accounts.current(chosen, user.id, waiting);
      if (membership && membership.accountOpen) {
        // A form changes only the account it was shown for, never the one another tab switched to.
        if (posting && formAccountId(req) !== membership.accountId) return refuse(membership);
        return membership;
      }
      // Access was removed, reached its end date or the account closed since the last request:
      // leave it at once. The end date is read in the same row, so it costs no query of its own.
      leaveAccount(req);
      if (membership?.accessEnded) await accessEnded?.(membership);
      if (posting) return refuse(undefined);
      if (membership?.accessEnded && membership.accessUntil !== null)
        flash(req, 'error', 'switch.accessEndedOn', {
          name: membership.accountName,
          date: formatDate(localeOf(req), lastDayOf(membership.accessUntil), timeZoneOf(req)),
        });
      else flash(req, 'error', 'switch.accessEnded');
      res.redirect(chooserPath(req.originalUrl));
      return 'handled';
    }
    // A form never picks an account by itself: the person chooses one first.
    if (posting) return refuse(undefined);
    // No account chosen yet. With exactly one open account the session takes it, as at login.
    const ids = await accounts.openAccountIds(user.id, 2);
    if (ids.length === 1) {
      const membership = await accounts.current(ids[0], user.id, waiting);
      if (membership && membership.accountOpen) {
        await enterAccount(ctx, repo, req, {
          userId: user.id,
          accountId: membership.accountId,
          how: 'fallback',
          otherAccounts: false,
        });
        return membership;
      }
    }
    if (ids.length > 1) flash(req, 'info', 'switch.chooseFirst');
    res.redirect(chooserPath(req.originalUrl));
    return 'handled';
  }

  function requirePermission(key?: string | null, options: GuardOptions = {}): RequestHandler {
    if (key && !ctx.catalogue.has(key)) throw new Error(`unknown permission key: ${key}`);
    const { resource } = options;
    if (resource && !isResourceKind(resource.kind)) throw new Error(`unknown resource kind: ${String(resource.kind)}`);
    return async (req: Request, res: Response, next: NextFunction) => {
      try {
        // Switched off by the admin: the host's own rules apply, as before the module existed.
        if (!(await readyFor(ctx, req))) return next();
        const user = userOf(req);
        if (!user) return res.redirect(signInUrl(ctx, req.originalUrl));
        const membership = await resolve(req, res, user);
        if (membership === 'handled') return;
        const account = toAccountContext(ctx, membership);
        res.locals.account = account;
        if (membership.waiting) waitingByRequest.set(req, membership.waiting);
        const scopes = scopesFor({ all: membership.allPermissions, keys: membership.permissions }, membership.scopes);
        scopesByRequest.set(req, scopes);
        const landing = takeLanding(req);
        if (key && !account.can(key)) {
          // Just switched here from the same section of another account: the dashboard, not a 403.
          if (landing === req.originalUrl && req.method === 'GET') {
            flash(req, 'info', 'switch.sectionRefused', { name: account.name });
            return res.redirect(ctx.host.urls.home);
          }
          const owner = await repo.owner(account.id);
          const t = tOf(req);
          return renderPage(
            ctx,
            req,
            res,
            'client/denied',
            {
              title: 'denied.title',
              permissionLabel: ctx.catalogue.label(t, key),
              ownerName: owner ? nameOf(ctx, owner) : '',
              ownerEmail: owner?.email ?? '',
            },
            403,
          );
        }
        // An item outside the member's chosen ones answers as if it did not exist.
        const ids = resource ? scopes[resource.kind] : undefined;
        if (resource && ids && !ids.includes(Number(req.params[resource.param]))) {
          return renderPage(
            ctx,
            req,
            res,
            'client/error',
            { title: 'errors.notFoundTitle', messageKey: 'errors.notFound', params: {} },
            404,
          );
        }
        next();
      } catch (err) {
        next(err);
      }
    };
  }

  return { requirePermission, chooserPath };
}

export { tOf };
