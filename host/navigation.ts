import type { MenuItem, Translate } from '../module/index';

/** The client area's menus before any module touches them, WHMCS style. */
export function clientMenus(t: Translate): { primary: MenuItem[]; account: MenuItem[] } {
  return {
    primary: [
      { id: 'home', label: t('nav.home'), href: '/', order: 10 },
      { id: 'services', label: t('nav.services'), href: '/services', permission: 'products', order: 20 },
      { id: 'domains', label: t('nav.domains'), href: '/domains', permission: 'domains', order: 30 },
      {
        id: 'billing',
        label: t('nav.billing'),
        order: 40,
        children: [
          { id: 'invoices', label: t('nav.invoices'), href: '/invoices', permission: 'invoices' },
          { id: 'quotes', label: t('nav.quotes'), href: '/quotes', permission: 'quotes' },
        ],
      },
      {
        id: 'support',
        label: t('nav.support'),
        order: 50,
        children: [{ id: 'tickets', label: t('nav.tickets'), href: '/tickets', permission: 'tickets' }],
      },
    ],
    account: [
      { id: 'profile', label: t('nav.profile'), href: '/profile', permission: 'profile', order: 10 },
      { id: 'contacts', label: t('nav.contacts'), href: '/contacts', permission: 'contacts', order: 20 },
      { id: 'user-settings', label: t('nav.yourSettings'), href: '/settings', order: 80 },
    ],
  };
}

export function adminMenu(t: Translate): MenuItem[] {
  return [
    { id: 'admin-home', label: t('admin.nav.home'), href: '/admin', order: 10 },
    { id: 'admin-modules', label: t('admin.nav.modules'), href: '/admin/modules', order: 20 },
    { id: 'admin-outbox', label: t('admin.nav.outbox'), href: '/admin/outbox', order: 30 },
  ];
}
