import type { Request } from 'express';
import type { MenuItem } from '../contract';
import type { ModuleContext } from '../context';
import type { AccountContext } from '../guard';
import { safeReturnPath } from '../safe-return';

/**
 * Staying on the same section across a switch. The account menu's switch forms carry the section
 * of the page they were shown on (`returnTo`, a local path) and the permission the host's menu
 * names for it (`returnPermission`); the switch checks that permission in the target account
 * before redirecting. The section's page guard checks again on arrival (see the guard), so a
 * forged or missing `returnPermission` still ends on the dashboard, never on a 403 page.
 */

/** The hidden field (and query parameter) naming the permission of the section to return to. */
export const RETURN_PERMISSION = 'returnPermission';

export interface ReturnAddress {
  returnTo?: string;
  permission?: string;
}

/** A permission key as sent back by a form: only a key of the catalogue counts. */
export function returnPermissionOf(ctx: ModuleContext, value: unknown): string | undefined {
  return typeof value === 'string' && ctx.catalogue.has(value) ? value : undefined;
}

/** The module's own pages that belong to the account's owner (User Management, Activity). */
function ownerSection(path: string, base: string): boolean {
  return path.startsWith(`${base}/`) && /^\/(users|activity)(\/|$)/.test(path.slice(base.length));
}

/**
 * The section a page belongs to: the menu item whose address is the page's or a parent of it, the
 * longest first ("/invoices/12" → Invoices). An item whose address has a query string
 * ("/clientarea.php?action=services") matches when the page has the same path and those parameters.
 * Home ("/") is no section: after a switch without one the person lands on the dashboard anyway.
 */
export function sectionOf(url: string, items: MenuItem[]): { href: string; permission?: string } | undefined {
  const [path, query = ''] = url.split('#', 1)[0].split('?', 2);
  const params = new URLSearchParams(query);
  let best: { href: string; permission?: string; score: number } | undefined;
  const visit = (list: MenuItem[]) => {
    for (const item of list) {
      if (item.children) visit(item.children);
      const href = safeReturnPath(item.href);
      if (!href || item.form) continue;
      const [hrefPath, hrefQuery] = href.split('#', 1)[0].split('?', 2);
      if (hrefPath === '/' && !hrefQuery) continue;
      let score: number;
      if (hrefQuery) {
        const wanted = [...new URLSearchParams(hrefQuery)];
        if (path !== hrefPath || !wanted.every(([k, v]) => params.getAll(k).includes(v))) continue;
        score = hrefPath.length + 1000 * wanted.length;
      } else {
        const parent = hrefPath.replace(/\/+$/, '');
        if (path !== hrefPath && !path.startsWith(`${parent}/`)) continue;
        score = hrefPath.length;
      }
      if (!best || score > best.score) best = { href, permission: item.permission, score };
    }
  };
  visit(items);
  return best && { href: best.href, permission: best.permission };
}

/**
 * Where the switch forms of a page send the person back to. On the Switch Account page itself that
 * is the address it was opened with (after sign-in, or from the menu's search); on any other page,
 * its section in the menus.
 */
export function returnAddressOf(ctx: ModuleContext, req: Request, base: string, items: MenuItem[]): ReturnAddress {
  const path = req.originalUrl.split('?', 1)[0];
  if (path === `${base}/switch`) {
    const returnTo = safeReturnPath(req.query?.returnTo);
    return returnTo ? { returnTo, permission: returnPermissionOf(ctx, req.query?.[RETURN_PERMISSION]) } : {};
  }
  const section = sectionOf(req.originalUrl, items);
  // The module's other pages (Leave, Switch Account, invitations) mean nothing in another account.
  if (!section || (section.href.startsWith(`${base}/`) && !ownerSection(section.href, base))) return {};
  return { returnTo: section.href, permission: returnPermissionOf(ctx, section.permission) };
}

/** The form fields (or query parameters) that carry a return address. */
export function returnFields(back: ReturnAddress): Record<string, string> {
  return {
    ...(back.returnTo ? { returnTo: back.returnTo } : {}),
    ...(back.returnTo && back.permission ? { [RETURN_PERMISSION]: back.permission } : {}),
  };
}

/**
 * Where a switch into `account` lands: the return address when the account may open it, else
 * the dashboard (`refused`: the person is told why). The module's owner pages need the owner (User
 * Management also a user manager); a
 * host page needs the permission its menu item names. (The menu never sends the module's other
 * pages; a return address to them, e.g. a Leave form re-opened in its own account, is kept.)
 */
export function landingAfterSwitch(
  ctx: ModuleContext,
  base: string,
  account: AccountContext,
  back: ReturnAddress,
): { path?: string; refused: boolean } {
  const { returnTo, permission } = back;
  if (!returnTo) return { refused: false };
  const path = returnTo.split(/[?#]/, 1)[0];
  if (ownerSection(path, base)) {
    // User Management opens for user managers too; the activity log stays the owner's.
    const users = /^\/users(\/|$)/.test(path.slice(base.length));
    return (account.isOwner || (users && account.can('manageusers'))) && !ctx.settings().disableClientManagement
      ? { path: returnTo, refused: false }
      : { refused: true };
  }
  if (permission && !account.can(permission)) return { refused: true };
  return { path: returnTo, refused: false };
}
