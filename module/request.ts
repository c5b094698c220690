import type { Request } from 'express';
import type { HostUser } from './contract';
import type { ModuleContext } from './context';
import { availableLocales, resolveLocale } from './i18n';

/**
 * What the module knows of a request through the host contract: who is signed in, the language
 * and time zone, and which part of the portal a page belongs to. Every entry point of the module
 * (its sub-apps, the guard, the hooks) binds the request to the module first.
 */
const BOUND = Symbol.for('account-users.request');

interface Binding {
  ctx: ModuleContext;
  area: 'client' | 'admin';
  /** Whether the module is on for this request, asked of the host once per request. */
  ready?: Promise<boolean>;
}

export function bindRequest(ctx: ModuleContext, req: Request, area?: 'client' | 'admin'): void {
  const holder = req as unknown as Record<symbol, Binding | undefined>;
  const previous = holder[BOUND];
  holder[BOUND] = {
    ctx,
    area: area ?? previous?.area ?? 'client',
    ready: previous?.ctx === ctx ? previous.ready : undefined,
  };
}

/**
 * Binds the request and answers whether the module is on (settings fresh): the sub-app, the guard
 * and the layout's hooks all ask, and the host's `isActive` (perhaps a query) runs once.
 */
export function readyFor(ctx: ModuleContext, req: Request, area?: 'client' | 'admin'): Promise<boolean> {
  bindRequest(ctx, req, area);
  const bound = binding(req)!;
  bound.ready ??= ctx.ready();
  return bound.ready;
}

function binding(req: Request): Binding | undefined {
  return (req as unknown as Record<symbol, Binding | undefined>)[BOUND];
}

/** Client or admin area: the host's renderPage picks its layout from it. */
export function areaOf(req: Request): 'client' | 'admin' {
  return binding(req)?.area ?? 'client';
}

/** The signed-in person in the module's shape (the host maps its own user object). */
export function userOf(req: Request): HostUser | undefined {
  const host = binding(req)?.ctx.host;
  const user = host?.users.fromRequest ? host.users.fromRequest(req) : (req as unknown as { user?: HostUser }).user;
  return user ?? undefined;
}

/** The language of the page: the host's choice for the request, else the person's, else the browser's. */
export function localeOf(req: Request): string {
  const fromHost = binding(req)?.ctx.host.locale?.(req);
  if (fromHost) {
    const shipped = availableLocales();
    const exact = shipped.find((l) => l.toLowerCase() === fromHost.toLowerCase());
    if (exact) return exact;
    return resolveLocale(
      req,
      shipped.find((l) => l.split('-')[0] === fromHost.split('-')[0].toLowerCase()),
    );
  }
  return resolveLocale(req, userOf(req)?.locale);
}

export function timeZoneOf(req: Request): string {
  return binding(req)?.ctx.host.timeZone?.(req) ?? 'UTC';
}

/** The host's name for a person (its own formula, not the module's). */
export function displayNameOf(req: Request, user: HostUser): string {
  const ctx = binding(req)?.ctx;
  return ctx ? nameOf(ctx, user) : `${user.firstName} ${user.lastName}`.trim() || user.email;
}

/**
 * The host's name for a person the module read itself (a member row, an owner, a user of the
 * staff pages): every page and log names people by the host's `users.displayName`, never by a
 * formula of its own.
 */
export function nameOf(
  ctx: ModuleContext,
  person: { id?: number; userId?: number; email: string; firstName: string; lastName: string },
): string {
  return ctx.host.users.displayName({
    id: person.id ?? person.userId ?? 0,
    email: person.email,
    firstName: person.firstName,
    lastName: person.lastName,
  });
}
