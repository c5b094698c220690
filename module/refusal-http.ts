import type { NextFunction, Request, Response } from 'express';
import type { ModuleContext } from './context';
import { Refusal, type RefusalKind } from './errors';
import { isCsrfFailure } from './csrf';
import { renderPage } from './render';

/** How a page answers each kind of refusal: the one place a refusal becomes an HTTP status. */
const STATUS: Record<RefusalKind, number> = {
  notFound: 404,
  forbidden: 403,
  conflict: 409,
  invalid: 422,
  rateLimited: 429,
  unavailable: 503,
};

export function statusOf(refusal: Refusal): number {
  return STATUS[refusal.kind];
}

/** What a form shows again by default: every refusal but "not found", where there is nothing to show. */
const FORM_KINDS: readonly RefusalKind[] = ['forbidden', 'conflict', 'invalid', 'rateLimited', 'unavailable'];

/**
 * Runs a form's action; when a service refuses it with one of `kinds`, `render` shows the form
 * again with the refusal (its message and field errors) and the status of its kind. Other
 * refusals and every other error go on to the error handler.
 */
export async function refusable(
  action: () => Promise<void>,
  render: (refusal: Refusal, status: number) => void | Promise<void>,
  kinds: readonly RefusalKind[] = FORM_KINDS,
): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof Refusal) || !kinds.includes(err.kind)) throw err;
    await render(err, statusOf(err));
  }
}

/**
 * The module's one error handler: a refusal becomes a translated page with its kind's status, the
 * module's own CSRF check the expired-form page; anything else is the host's to answer.
 */
export function errorHandler(ctx: ModuleContext) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (err instanceof Refusal) {
      renderPage(
        ctx,
        req,
        res,
        'client/error',
        {
          title: err.kind === 'notFound' ? 'errors.notFoundTitle' : 'errors.title',
          messageKey: err.messageKey,
          params: err.params,
        },
        statusOf(err),
      );
      return;
    }
    if (isCsrfFailure(err)) {
      renderPage(ctx, req, res, 'client/error', { title: 'errors.title', messageKey: 'errors.csrf', params: {} }, 403);
      return;
    }
    next(err);
  };
}
