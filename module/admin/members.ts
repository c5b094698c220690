import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { ModuleError } from '../errors';
import { field, handler, idParam } from '../http';
import { renderPage } from '../render';
import { flash } from '../session';
import type { AccountHandlers } from './accounts';
import type { AdminRepo } from './repo';
import { AdminAccess } from './service';
import { accessFields, adminActor } from './common';

/** Ownership, direct access and removal of one account's users, done by staff. */
export function memberHandlers(deps: Deps, admin: AdminRepo, accounts: AccountHandlers) {
  const { ctx, repo, members } = deps;
  const access = new AdminAccess(ctx, repo, members);

  const accountPath = (req: Request, accountId: number) => `${req.baseUrl}/accounts/${accountId}`;

  /** The account and one of its users with their name, or 404 (also for users of other accounts). */
  async function target(req: Request) {
    const acct = await accounts.requireAccount(req.params.accountId);
    const member = await repo.find(acct.id, idParam(req.params.userId));
    const user = member ? await admin.user(member.userId) : undefined;
    if (!member || !user) throw ModuleError.notFound();
    return { acct, member, user, name: `${user.firstName} ${user.lastName}`.trim() || user.email };
  }

  const confirmOwner = handler(async (req: Request, res: Response) => {
    const { acct, member, user, name } = await target(req);
    if (member.isOwner) throw ModuleError.conflict('admin.owner.already', { name, account: acct.name });
    const owner = await repo.owner(acct.id);
    const ownerName = owner ? `${owner.firstName} ${owner.lastName}`.trim() || owner.email : '';
    renderPage(ctx, req, res, 'admin/make-owner', { title: 'admin.owner.title', acct, user, name, ownerName });
  });

  const makeOwner = handler(async (req: Request, res: Response) => {
    const { acct, member, name } = await target(req);
    // Already the owner (also when another move made them so a moment ago): say so, log nothing.
    if (!(await access.makeOwner(adminActor(ctx, req), acct.id, member.userId))) throw ModuleError.conflict('admin.owner.already', { name, account: acct.name });
    flash(req, 'success', 'admin.owner.done', { name, account: acct.name });
    res.redirect(303, accountPath(req, acct.id));
  });

  const confirmRemove = handler(async (req: Request, res: Response) => {
    const { acct, member, user, name } = await target(req);
    if (member.isOwner) throw ModuleError.forbidden('admin.remove.owner');
    renderPage(ctx, req, res, 'admin/remove', { title: 'admin.remove.title', acct, user, name });
  });

  const remove = handler(async (req: Request, res: Response) => {
    const { acct, member, name } = await target(req);
    if (member.isOwner) throw ModuleError.forbidden('admin.remove.owner');
    await members.remove(adminActor(ctx, req), acct.id, member.userId);
    flash(req, 'success', 'admin.remove.done', { name, account: acct.name });
    res.redirect(303, accountPath(req, acct.id));
  });

  /** Gives an existing login access without an e-mail; unknown addresses and members are refused. */
  const add = handler(async (req: Request, res: Response) => {
    const acct = await accounts.requireAccount(req.params.accountId);
    const form = { email: field(req.body, 'email', 300).toLowerCase(), ...accessFields(req.body), errors: {} as Partial<Record<'email' | 'permissions', string>> };
    const refuse = (status: number, errors: typeof form.errors) => accounts.renderAccount(req, res, acct, { addForm: { ...form, errors } }, status);
    const choice = ctx.catalogue.parseChoice(form.access, form.permissions);
    const errors: typeof form.errors = {};
    if (!form.email) errors.email = 'admin.add.errors.emailRequired';
    if ('error' in choice) errors.permissions = choice.error;
    if (Object.keys(errors).length > 0 || 'error' in choice) return refuse(422, errors);
    const user = await ctx.host.users.findByEmail(form.email);
    if (!user) return refuse(422, { email: 'admin.add.errors.unknown' });
    const outcome = await access.grant(adminActor(ctx, req), acct.id, user, choice);
    if (outcome === 'member') return refuse(409, { email: 'admin.add.errors.member' });
    if (outcome === 'limit') return refuse(422, { email: 'admin.add.errors.limit' });
    if (outcome === 'closed') return refuse(409, { email: 'admin.add.errors.closed' });
    flash(req, 'success', 'admin.add.done', { name: ctx.host.users.displayName(user), account: acct.name });
    res.redirect(303, accountPath(req, acct.id));
  });

  return { confirmOwner, makeOwner, confirmRemove, remove, add };
}
