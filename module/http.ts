import type { Request } from 'express';
import type { Actor } from './context';
import type { HostUser } from './contract';
import { Refusal } from './errors';
import { displayNameOf, userOf } from './request';

/** A positive integer id from a route parameter, or 404: "abc" and "1e3" are not ids. */
export function idParam(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}$/.test(value)) throw Refusal.notFound();
  const n = Number(value);
  if (n > 2147483647) throw Refusal.notFound();
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

/** Which page of `total` rows to show: the requested one, kept within the last page. */
export function paging(raw: unknown, total: number, perPage: number): { page: number; pages: number; offset: number } {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(pageParam(raw), pages);
  return { page, pages, offset: (page - 1) * perPage };
}

/**
 * `access` and repeated `permissions` of a posted access form, as strings only: the one reader of
 * every form that grants access (account ids or owner flags in the body are never read).
 */
export function accessFields(body: unknown): { access: string; permissions: string[] } {
  const b = (body ?? {}) as Record<string, unknown>;
  const raw = b.permissions === undefined ? [] : Array.isArray(b.permissions) ? b.permissions : [b.permissions];
  return {
    access: typeof b.access === 'string' ? b.access : '',
    permissions: raw.filter((k): k is string => typeof k === 'string').slice(0, 100),
  };
}
