import path from 'node:path';
import express, { type Express, type RequestHandler, type Request } from 'express';
import type { HostContract } from './contract';
import { createContext, type ModuleContext } from './context';
import { MembersRepo } from './members/repo';
import { AccountsRepo } from './accounts/repo';
import { MembersService } from './members/service';
import { InvitesRepo } from './invites/repo';
import { InvitesService } from './invites/service';
import { accountOf, createGuards, type AccountContext } from './guard';
import { clientRouter } from './client/router';
import { adminRouter } from './admin/router';
import { errorHandler } from './http';
import { createLifecycle, type LifecycleResult } from './lifecycle';
import { manifest, type Manifest } from './manifest';
import type { Deps } from './deps';
import { registerHooks } from '../hooks';

export type { HostContract } from './contract';
export type { AccountContext } from './guard';
export { manifest } from './manifest';

export interface AccountUsersModule {
  manifest: Manifest;
  /** Client area pages; mount anywhere (the reference host uses /account). */
  client: Express;
  /** Admin pages; mount inside the host's admin area, behind its admin login. */
  admin: Express;
  /** Guards a host page: loads the session's account and requires the permission key (null: any). */
  requirePermission(key: string | null): RequestHandler;
  accountOf(req: Request): AccountContext | undefined;
  activate(): Promise<LifecycleResult>;
  upgrade(): Promise<LifecycleResult>;
  deactivate(): Promise<LifecycleResult>;
  uninstall(): Promise<LifecycleResult>;
  installed(): Promise<boolean>;
  /** Domain services, for hosts, seeds and tests that work without HTTP. */
  services: { members: MembersService; repo: MembersRepo; ctx: ModuleContext };
  /** Removes the module's hook registrations (tests build many apps in one process). */
  dispose(): void;
}

function subApp(ctx: ModuleContext, router: express.Router): Express {
  const app = express();
  // Refuse everything while the admin has the module switched off: the host then answers 404.
  app.use((_req, _res, next) => (ctx.host.isActive() ? next() : next('router')));
  app.get('/account-users.css', (_req, res) => res.type('text/css').sendFile(path.join(__dirname, '..', 'views', 'account-users.css'), { maxAge: 3600_000 }));
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  app.use(router);
  app.use(errorHandler(ctx));
  return app;
}

export async function createModule(host: HostContract, options: { extraPermissions?: string[] } = {}): Promise<AccountUsersModule> {
  const ctx = createContext(host, options.extraPermissions);
  const repo = new MembersRepo(ctx.knex, host.schema);
  const members = new MembersService(ctx, repo);
  let clientMount = '/account';
  const guards = createGuards(ctx, repo, () => clientMount);
  const invites = new InvitesService(ctx, new InvitesRepo(ctx.knex), members, repo, () => clientMount);
  const deps: Deps = { ctx, guards, repo, accounts: new AccountsRepo(ctx.knex, host.schema), members, invites };

  const client = subApp(ctx, clientRouter(deps));
  client.on('mount', () => {
    clientMount = typeof client.mountpath === 'string' ? client.mountpath : clientMount;
  });
  const admin = subApp(ctx, adminRouter(deps));
  const lifecycle = createLifecycle(ctx, members);
  const dispose = registerHooks(host.hooks, deps, () => clientMount, () => (typeof admin.mountpath === 'string' ? admin.mountpath : ''));
  // Queued e-mails whose first attempt failed are tried again by every instance (each claimed once).
  const stopMail = invites.mail.start();

  return {
    manifest,
    client,
    admin,
    requirePermission: (key) => guards.requirePermission(key),
    accountOf,
    ...lifecycle,
    services: { members, repo, ctx },
    dispose: () => {
      stopMail();
      dispose();
    },
  };
}
