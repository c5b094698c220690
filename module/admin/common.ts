import type { Request } from 'express';
import type { Actor, ModuleContext } from '../context';
import { ModuleError } from '../errors';
import { pageParam } from '../http';

/** The signed-in staff member, named in the log of every change they make. */
export function adminActor(ctx: ModuleContext, req: Request): Actor & { id: number } {
  const admin = ctx.host.admins.current(req);
  // The router's guard let only admins through; without one nothing may be written.
  if (!admin) throw ModuleError.notFound();
  return { type: 'admin', id: admin.id, name: admin.name, ip: req.ip ?? null };
}

/** Which page of `total` rows to show: the requested one, kept within the last page. */
export function paging(raw: unknown, total: number, perPage: number): { page: number; pages: number; offset: number } {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(pageParam(raw), pages);
  return { page, pages, offset: (page - 1) * perPage };
}

/** `access` and repeated `permissions` of a posted form, as strings only. */
export function accessFields(body: unknown): { access: string; permissions: string[] } {
  const b = (body ?? {}) as Record<string, unknown>;
  const raw = b.permissions === undefined ? [] : Array.isArray(b.permissions) ? b.permissions : [b.permissions];
  return { access: typeof b.access === 'string' ? b.access : '', permissions: raw.filter((k): k is string => typeof k === 'string').slice(0, 100) };
}

/** A link with query parameters, leaving out empty ones. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
