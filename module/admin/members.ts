import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import { Refusal } from '../errors';
import { refusable } from '../refusal-http';
import { accessFields, field, idParam } from '../http';
import { renderPage, tOf } from '../render';
import { earlierPermissions, type PreviousOwnerAccess } from '../members/service';
import { flash } from '../session';
import type { AccountHandlers } from './accounts';
import type { AdminRepo } from './repo';
import { AdminAccess } from './service';
import { adminActor } from './common';
import { localeOf, nameOf, timeZoneOf } from '../request';
import { dayInputValue, parseAccessUntil, untilBounds } from '../members/until';

/** Ownership, direct access and removal of one account's users, done by staff. */
export function memberHandlers(deps: Deps, admin: AdminRepo, accounts: AccountHandlers) {
  const { ctx, membersRepo, members, invitesService } = deps;
  const access = new AdminAccess(ctx, membersRepo, members, invitesService.repo);

  const accountPath = (req: Request, accountId: number) => `${req.baseUrl}/accounts/${accountId}`;

  /** The account and one of its users with their name, or 404 (also for users of other accounts). */
  async function target(req: Request) {
    const acct = await accounts.requireAccount(req.params.accountId);
    const member = await membersRepo.find(acct.id, idParam(req.params.userId));
    const user = member ? await admin.user(member.userId) : undefined;
    if (!member || !user) throw Refusal.notFound();
    return { acct, member, user, name: nameOf(ctx, user) };
  }

  /** The account's owner now, named, and the set they held before becoming owner (when one was kept). */
  async function currentOwner(accountId: number) {
    const owner = await membersRepo.owner(accountId);
    const earlier = owner ? earlierPermissions(await membersRepo.ownerBeforeOwnerPermissions(accountId)) : null;
    return { owner, ownerName: owner ? nameOf(ctx, owner) : '', earlier };
  }

  type OwnerForm = { access: string; permissions: string[]; errors: { permissions?: string } };

  /** The confirmation: who becomes owner and, when there is an owner now, what that owner keeps. */
  async function showOwnerForm(
    req: Request,
    res: Response,
    t: Awaited<ReturnType<typeof target>>,
    form: OwnerForm,
    status = 200,
  ) {
    const { owner, ownerName, earlier } = await currentOwner(t.acct.id);
    const tr = tOf(req);
    const choices = [
      { value: 'all', label: tr('admin.owner.keepAll'), help: tr('admin.owner.keepAllHelp') },
      ...(earlier
        ? [
            {
              value: 'earlier',
              label: tr('admin.owner.keepEarlier'),
              help: tr('admin.owner.keepEarlierHelp', {
                access: ctx.catalogue.summary(tr, { allPermissions: false, permissions: earlier }),
              }),
            },
          ]
        : []),
      { value: 'choose', label: tr('admin.owner.keepChoose'), help: tr('admin.owner.keepChooseHelp') },
    ];
    renderPage(
      ctx,
      req,
      res,
      'admin/make-owner',
      {
        title: 'admin.owner.title',
        acct: t.acct,
        user: t.user,
        name: t.name,
        owner,
        ownerName,
        choices,
        form,
        keys: ctx.catalogue.keys,
      },
      status,
    );
  }

  /** What the previous owner keeps, from the form: one of the offered choices, or the error to show. */
  function keepChoice(form: OwnerForm): PreviousOwnerAccess | { error: string } {
    if (form.access === 'earlier')
      return form.permissions.length > 0 ? { error: 'admin.owner.errors.withKeys' } : { kind: 'earlier' };
    if (form.access !== 'all' && form.access !== 'choose') return { error: 'admin.owner.errors.choose' };
    const choice = ctx.catalogue.parseChoice(form.access, form.permissions);
    if ('error' in choice)
      return {
        error: choice.error === 'permissions.errors.allWithKeys' ? 'admin.owner.errors.withKeys' : choice.error,
      };
    return choice.all ? { kind: 'all' } : { kind: 'choose', keys: choice.keys };
  }

  const confirmOwner = async (req: Request, res: Response) => {
    const t = await target(req);
    if (t.member.isOwner) throw Refusal.conflict('admin.owner.already', { name: t.name, account: t.acct.name });
    await showOwnerForm(req, res, t, { access: 'all', permissions: [], errors: {} });
  };

  const makeOwner = async (req: Request, res: Response) => {
    const t = await target(req);
    const { acct, member, name } = t;
    if (member.isOwner) throw Refusal.conflict('admin.owner.already', { name, account: acct.name });
    const form: OwnerForm = { ...accessFields(req.body), errors: {} };
    // The owner the page was shown for ("" when the account had none); absent from older forms.
    const rawOwner = (req.body as Record<string, unknown> | undefined)?.ownerId;
    const shownOwner = typeof rawOwner === 'string' ? rawOwner : undefined;
    const expectedOwnerId =
      shownOwner === undefined ? undefined : /^[1-9][0-9]{0,9}$/.test(shownOwner) ? Number(shownOwner) : null;
    const { owner, earlier } = await currentOwner(acct.id);
    // With nobody to keep anything, there is nothing to choose.
    const keep = owner ? keepChoice(form) : ({ kind: 'all' } as const);
    if ('error' in keep) return showOwnerForm(req, res, t, { ...form, errors: { permissions: keep.error } }, 422);
    if (keep.kind === 'earlier' && !earlier)
      return showOwnerForm(
        req,
        res,
        t,
        { ...form, access: 'all', errors: { permissions: 'admin.owner.errors.noEarlier' } },
        422,
      );
    await refusable(
      async () => {
        const changed = await access.makeOwner(adminActor(ctx, req), acct.id, member.userId, { keep, expectedOwnerId });
        // Already the owner (also when another move made them so a moment ago): say so, log nothing.
        if (!changed) throw Refusal.conflict('admin.owner.already', { name, account: acct.name });
        flash(req, 'success', 'admin.owner.done', { name, account: acct.name });
        res.redirect(303, accountPath(req, acct.id));
      },
      // Decided again on the locked owner row: the kept set may have gone since the page was read.
      (refused, status) =>
        showOwnerForm(req, res, t, { ...form, access: 'all', errors: { permissions: refused.messageKey } }, status),
      ['invalid'],
    );
  };

  const confirmRemove = async (req: Request, res: Response) => {
    const { acct, member, user, name } = await target(req);
    if (member.isOwner) throw Refusal.forbidden('admin.remove.owner');
    renderPage(ctx, req, res, 'admin/remove', { title: 'admin.remove.title', acct, user, name });
  };

  const remove = async (req: Request, res: Response) => {
    const { acct, member, name } = await target(req);
    if (member.isOwner) throw Refusal.forbidden('admin.remove.owner');
    await members.remove(adminActor(ctx, req), acct.id, member.userId);
    flash(req, 'success', 'admin.remove.done', { name, account: acct.name });
    res.redirect(303, accountPath(req, acct.id));
  };

  type PermissionsForm = { access: string; keys: string[]; until: string; error?: string; untilError?: string };

  /** Staff's Manage Permissions of one user (never the owner): the access choice, filled in. */
  function showPermissions(
    req: Request,
    res: Response,
    t: Awaited<ReturnType<typeof target>>,
    form: PermissionsForm,
    status = 200,
  ) {
    const { acct, user, name } = t;
    renderPage(
      ctx,
      req,
      res,
      'admin/permissions',
      {
        title: 'admin.permissions.title',
        acct,
        user,
        name,
        form,
        catalogue: ctx.catalogue,
        untilBounds: untilBounds(ctx.now(), timeZoneOf(req)),
      },
      status,
    );
  }

  /** A user of this account other than its owner, in an open account: staff may edit their access. */
  async function editable(req: Request, untilGiven = false) {
    const t = await target(req);
    // The owner's access never ends by a date: a form that asks for one is invalid, not just refused.
    if (t.member.isOwner && untilGiven)
      throw Refusal.invalid('until.errors.owner', {}, { accessUntil: 'until.errors.owner' });
    if (t.member.isOwner) throw Refusal.forbidden('admin.permissions.owner');
    // As with Add User: nobody can open a closed account, so its users' access is not changed.
    if (!t.acct.open) throw Refusal.conflict('admin.permissions.closed', { account: t.acct.name });
    return t;
  }

  const editPermissions = async (req: Request, res: Response) => {
    const t = await editable(req);
    const { member } = t;
    showPermissions(req, res, t, {
      access: member.allPermissions ? 'all' : 'choose',
      keys: member.permissions,
      until: dayInputValue(member.accessUntil, timeZoneOf(req)),
    });
  };

  const savePermissions = async (req: Request, res: Response) => {
    const untilText = field(req.body, 'accessUntil', 40);
    const t = await editable(req, untilText !== '');
    const { acct, member, name } = t;
    // Only `access`, `permissions` and the end date are read, as on the owner's Manage Permissions.
    const form = accessFields(req.body);
    const choice = ctx.catalogue.parseChoice(form.access, form.permissions);
    const until = parseAccessUntil(untilText, localeOf(req), timeZoneOf(req), ctx.now());
    if ('error' in choice || 'error' in until) {
      const keys = ctx.catalogue.keys.filter((k) => form.permissions.includes(k));
      const access = form.access === 'all' ? 'all' : 'choose';
      const error = 'error' in choice ? choice.error : undefined;
      const untilError = 'error' in until ? until.error : undefined;
      return showPermissions(req, res, t, { access, keys, until: untilText, error, untilError }, 422);
    }
    // Made owner since the page was read: refused on the locked row (403), nothing changes.
    const changed = await members.setPermissions(adminActor(ctx, req), acct.id, member.userId, choice, until.until);
    const key = changed ? 'admin.permissions.saved' : 'admin.permissions.unchanged';
    flash(req, changed ? 'success' : 'info', key, { name, account: acct.name });
    res.redirect(303, accountPath(req, acct.id));
  };

  /** Gives an existing login access without an e-mail; unknown addresses and members are refused. */
  const add = async (req: Request, res: Response) => {
    const acct = await accounts.requireAccount(req.params.accountId);
    const form = {
      email: field(req.body, 'email', 300).toLowerCase(),
      ...accessFields(req.body),
      errors: {} as Partial<Record<'email' | 'permissions', string>>,
    };
    const refuse = (status: number, errors: typeof form.errors) =>
      accounts.renderAccount(req, res, acct, { addForm: { ...form, errors } }, status);
    const choice = ctx.catalogue.parseChoice(form.access, form.permissions);
    const errors: typeof form.errors = {};
    if (!form.email) errors.email = 'admin.add.errors.emailRequired';
    if ('error' in choice) errors.permissions = choice.error;
    if (Object.keys(errors).length > 0 || 'error' in choice) return refuse(422, errors);
    const user = await ctx.host.users.findByEmail(form.email);
    if (!user) return refuse(422, { email: 'admin.add.errors.unknown' });
    await refusable(
      async () => {
        await access.grant(adminActor(ctx, req), acct.id, user, choice);
        flash(req, 'success', 'admin.add.done', { name: ctx.host.users.displayName(user), account: acct.name });
        res.redirect(303, accountPath(req, acct.id));
      },
      (refused, status) => refuse(status, refused.fieldErrors),
    );
  };

  return { confirmOwner, makeOwner, confirmRemove, remove, add, editPermissions, savePermissions };
}
