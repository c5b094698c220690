import type { Request } from 'express';
import type { Actor, ModuleContext } from '../context';
import { Refusal } from '../errors';

/** The signed-in staff member, named in the log of every change they make. */
export function adminActor(ctx: ModuleContext, req: Request): Actor & { id: number } {
  const admin = ctx.host.admins.current(req);
  // The router's guard let only admins through; without one nothing may be written.
  if (!admin) throw Refusal.notFound();
  return { type: 'admin', id: admin.id, name: admin.name, ip: req.ip ?? null };
}

/** A link with query parameters, leaving out empty ones. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
