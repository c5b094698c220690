// @ts-check
const { createModule } = require('account-users');
const { hostContract } = require('./host-contract');

const ID = 'account_users';
const ADMIN_PATH = '/admin/addonmodules/account_users';

/** Mounts Account Users into the portal: its pages, its addon entry, client access and hooks. */
async function mountAccountUsers(portal) {
  const { app, knex, hooks, addons, access } = portal;
  const isActive = () => addons.isActive(ID);
  const m = await createModule(hostContract(portal, isActive));
  app.use('/account', m.client);
  app.use(ADMIN_PATH, portal.requireAdmin, m.admin);
  const { name, version, description } = m.manifest;
  const configPath = `${ADMIN_PATH}/settings`;
  addons.register({ id: ID, name, version, description, activate: m.activate, deactivate: m.deactivate, configPath });
  // A newer package's migrations run when the portal starts with the module on.
  if (await isActive()) portal.logger.info('account users upgrade', await m.upgrade());

  // While the module is on, its memberships decide who opens which client, with which permissions and services.
  access.slot.provider = {
    active: isActive,
    guard: (key) => (req, res, next) =>
      m.requirePermission(key)(req, res, (err) => {
        if (!err) res.locals.client = m.accountOf(req);
        next(err);
      }),
    allowedIds: m.allowedResourceIds,
  };
  // The module's messages (after a switch, say) also show on the portal's own pages.
  hooks.on('ClientAreaPage', ({ req, messages }) => messages.push(...m.messagesOf(req)));
  // WHMCS's hook for a new client: its owner becomes the account's owner at once.
  hooks.on('ClientAdd', async ({ client_id }) => (await isActive()) && m.accountCreated(client_id));
  // tblclients keeps the owner too, so switching the module off leaves the right person in charge.
  hooks.on('AccountOwnerChanged', async ({ accountId }) => {
    const owner = await m.ownerOf(accountId);
    if (owner) await knex('tblclients').where('id', accountId).update({ owner_user_id: owner });
  });
  return m;
}

module.exports = { mountAccountUsers };
