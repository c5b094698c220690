import { setupPortal } from '../helpers/portal';

/**
 * Every page (GET route) a person can open: the module's, read from its routers as mounted in the
 * reference portal, and the portal's own, listed here (the portal is ours and small; a new page
 * of the portal belongs in this list). The accessibility tour reports any it did not visit.
 */
const PORTAL_PAGES = [
  '/login',
  '/no-account',
  '/',
  '/services',
  '/domains',
  '/invoices',
  '/invoices/:id',
  '/quotes',
  '/tickets',
  '/profile',
  '/contacts',
  '/settings',
  '/admin/login',
  '/admin',
  '/admin/modules',
  '/admin/modules/deactivate',
  '/admin/modules/uninstall',
  '/admin/outbox',
  '/admin/outbox/:id',
];

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: unknown };
const stackOf = (handle: unknown): Layer[] | undefined => {
  const h = handle as { stack?: Layer[]; router?: { stack?: Layer[] } } | undefined;
  return h?.stack ?? h?.router?.stack;
};

function getRoutes(handle: unknown, prefix: string): string[] {
  const out: string[] = [];
  for (const layer of stackOf(handle) ?? []) {
    if (layer.route?.methods.get) out.push(prefix + layer.route.path);
    else if (stackOf(layer.handle)) out.push(...getRoutes(layer.handle, prefix));
  }
  return out;
}

/** The module's pages where the reference portal mounts them (README), without its CSS and script. */
export async function allPages(): Promise<string[]> {
  const tp = await setupPortal();
  try {
    const module = tp.portal.accountUsers;
    const pages = [...getRoutes(module.client, '/account'), ...getRoutes(module.admin, '/admin/modules/account_users')];
    return [
      ...PORTAL_PAGES,
      ...pages.filter((p) => !/\.(css|js)$/.test(p)).map((p) => (p.length > 1 ? p.replace(/\/$/, '') : p)),
    ];
  } finally {
    await tp.close();
  }
}

/** The pages of `pages` that no path in `visited` opens (`:id` matches one path segment). */
export function notVisited(pages: string[], visited: string[]): string[] {
  return pages.filter((page) => {
    const pattern = new RegExp(`^${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}/?$`);
    return !visited.some((path) => pattern.test(path));
  });
}
