import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Actor, ModuleContext } from './context';
import type { HostUser } from './contract';
import { ModuleError } from './errors';
import { renderPage } from './render';
import { displayNameOf, userOf } from './request';

/** Wraps an async handler so its rejections reach the module's error handler. */
export function handler(fn: (req: Request, res: Response) => Promise<unknown> | unknown): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch(next);
  };
}

/** A positive integer id from a route parameter, or 404: "abc" and "1e3" are not ids. */
export function idParam(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) throw ModuleError.notFound();
  const n = Number(value);
  if (n > 2147483647) throw ModuleError.notFound();
  return n;
}

/** A single string field; arrays, objects and missing values become ''. */
export function field(source: unknown, name: string, maxLength = 1000): string {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, maxLength).trim() : '';
}

/** A page number from the query string: 1 unless a sane positive integer is given. */
export function pageParam(value: unknown): number {
  return typeof value === 'string' && /^[1-9][0-9]{0,5}$/.test(value) ? Number(value) : 1;
}

/** `user`: the person just signed in by the host, whom its own request-loading may not show yet. */
export function userActor(req: Request, user: HostUser = userOf(req)!): Actor & { id: number } {
  return { type: 'user', id: user.id, name: displayNameOf(req, user), ip: req.ip ?? null };
}

/** The module's one error handler: typed errors become translated pages; anything else is the host's 500. */
export function errorHandler(ctx: ModuleContext) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (err instanceof ModuleError) {
      renderPage(ctx, req, res, 'client/error', { title: err.status === 404 ? 'errors.notFoundTitle' : 'errors.title', messageKey: err.messageKey, params: err.params }, err.status);
      return;
    }
    const code = (err as { code?: string })?.code;
    if (code === 'EBADCSRFTOKEN' || (err as { status?: number })?.status === 403) {
      renderPage(ctx, req, res, 'client/error', { title: 'errors.title', messageKey: 'errors.csrf', params: {} }, 403);
      return;
    }
    next(err);
  };
}
