/**
 * The permission keys the module ships that All Permissions covers, in module.json's order, as the
 * tests expect them (Manage users stands apart: All Permissions never includes it).
 */
export const SHIPPED_KEYS = [
  'profile',
  'contacts',
  'products',
  'manageproducts',
  'productsso',
  'domains',
  'managedomains',
  'invoices',
  'quotes',
  'tickets',
  'affiliates',
  'emails',
  'orders',
];
