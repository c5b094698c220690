import type { Request, Response } from 'express';
import type { ModuleContext } from './context';
import type { CurrentMembership, AccountsRepo } from './accounts/repo';
import { userOf } from './request';
import { renderPage } from './render';
import { safeReturnPath } from './safe-return';

/** GET and HEAD only read; every other method changes something and must name its account. */
export function changesState(req: Request): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD';
}

/** The account a form was rendered for: its hidden field `accountId`, or undefined. */
export function formAccountId(req: Request): number | undefined {
  const raw = (req.body as Record<string, unknown> | undefined)?.accountId;
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,9}$/.test(raw)) return undefined;
  const id = Number(raw);
  return id <= 2147483647 ? id : undefined;
}

/**
 * Answers a form posted for another account than the session's (or with none chosen): 409, nothing
 * changed, and a button that opens the form's account and returns to the form's page. The form's
 * account is named only when the person may open it, so a made-up id reveals nothing.
 */
export async function refuseOtherAccount(
  ctx: ModuleContext,
  accounts: AccountsRepo,
  req: Request,
  res: Response,
  current: CurrentMembership | undefined,
  switchUrl: string,
): Promise<void> {
  const user = userOf(req)!;
  const formId = formAccountId(req);
  const form =
    formId !== undefined && formId !== current?.accountId ? await accounts.current(formId, user.id) : undefined;
  const formPage =
    safeReturnPath((req.body as Record<string, unknown> | undefined)?.formPage) ??
    safeReturnPath(req.originalUrl.split('?')[0]);
  renderPage(
    ctx,
    req,
    res,
    'client/wrong-account',
    {
      title: 'formAccount.title',
      formAccount: form?.accountOpen ? { id: form.accountId, name: form.accountName } : undefined,
      currentName: current?.accountName,
      switchUrl,
      formPage,
      homeUrl: ctx.host.urls.home,
    },
    409,
  );
}
