import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { HostUser } from '../contract';
import { accountOf, scopesOf } from '../guard';
import { accessFields, field, idParam, userActor } from '../http';
import { localeOf, renderPage, signInUrl, signOutForm, tOf } from '../render';
import { timeZoneOf, userOf } from '../request';
import { parseAccessUntil } from '../members/until';
import { flash } from '../session';
import { generateToken } from '../csrf';
import { isUniqueViolation, Refusal } from '../errors';
import { refusable } from '../refusal-http';
import { splitAddresses, type Accepted, type ValidInvitation } from './service';
import { BULK_TEXT_MAX, inviteFormData } from './panel';
import { flashResent, flashSent } from './flash';
import { hasControlCharacters } from '../names';
import { enterAccount } from '../accounts/session';
import { scopeFields, scopeFormData } from '../scopes';

const NAME_MAX = 100;
const PASSWORD_MIN = 10;
const PASSWORD_MAX = 200;

type RegistrationErrors = Partial<Record<'firstName' | 'lastName' | 'password' | 'passwordConfirm', string>>;

function rawPassword(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** Into the account just joined (by link or from the Invitations page): the session works in it from then on. */
export async function enterJoined(deps: Deps, req: Request, res: Response, accepted: Accepted, user: HostUser) {
  const multi = (await deps.accountsRepo.openAccountIds(user.id, 2)).length > 1;
  await enterAccount(deps.ctx, deps.membersRepo, req, {
    userId: user.id,
    accountId: accepted.accountId,
    how: accepted.lastLoginMoved ? 'accepted' : 'invitation',
    otherAccounts: multi,
  });
  flash(req, 'success', accepted.created ? 'invites.accepted' : 'invites.acceptedAlready', {
    name: accepted.accountName,
  });
  res.redirect(303, deps.ctx.host.urls.home);
}

/** The invite form's end date as typed. */
function untilField(req: Request): { accessUntil: string } {
  return { accessUntil: field(req.body, 'accessUntil', 40) };
}

/** Route handlers of invitations: the owner's side (invite, resend, cancel) and the invitee's page. */
export function inviteHandlers(deps: Deps) {
  const { ctx, invitesService } = deps;

  const usersPath = (req: Request) => `${req.baseUrl}/users`;

  /** The end of the access an invitation gives (null: none); a wrong day is refused, pointing at the field. */
  const endOfAccess = (req: Request, typed: string): number | null => {
    const until = parseAccessUntil(typed, localeOf(req), timeZoneOf(req), ctx.now());
    if ('error' in until) throw Refusal.invalid('invites.errors.summary', {}, { accessUntil: until.error });
    return until.until;
  };
  const account = (req: Request) => {
    const a = accountOf(req);
    if (!a) throw new Error('account guard missing');
    return a;
  };

  /** The invite form on a page of its own, with what was refused and why. */
  async function renderRefusal(
    req: Request,
    res: Response,
    refused: Refusal,
    status: number,
    form: {
      email: string;
      access: string;
      permissions: string[];
      scopes: ReturnType<typeof scopeFields>;
      accessUntil: string;
    },
  ) {
    const inviteScopes = await scopeFormData(ctx, account(req).id, { posted: form.scopes, grantor: scopesOf(req) });
    renderPage(
      ctx,
      req,
      res,
      'client/invite-form',
      {
        title: 'nav.userManagement',
        ...inviteFormData(ctx, req, { ...form, errors: refused.fieldErrors, errorParams: refused.params }),
        inviteScopes,
        refusal: {
          messageKey: refused.messageKey,
          params: refused.params,
          pendingInviteId: refused.params.pendingInviteId ?? null,
        },
        usersUrl: usersPath(req),
      },
      status,
    );
  }

  const create = async (req: Request, res: Response) => {
    const a = account(req);
    const addresses = splitAddresses(field(req.body, 'email', BULK_TEXT_MAX));
    if (addresses.length > 1) return createMany(req, res, addresses);
    const form = {
      email: field(req.body, 'email', 1000),
      ...accessFields(req.body),
      scopes: scopeFields(req.body),
      ...untilField(req),
    };
    // One address listed twice is still one address.
    const input = { ...form, email: addresses[0]?.email ?? form.email };
    await refusable(
      async () => {
        const accessUntil = endOfAccess(req, form.accessUntil);
        flashSent(
          ctx,
          req,
          await invitesService.invite(
            userActor(req),
            userOf(req)!,
            { id: a.id, name: a.name, knownOpen: true },
            { ...input, accessUntil },
            localeOf(req),
          ),
        );
        res.redirect(303, usersPath(req));
      },
      (refused, status) => renderRefusal(req, res, refused, status, form),
    );
  };

  /** Several addresses: a result for each on a page of its own, or the form again when none was sent. */
  async function createMany(req: Request, res: Response, addresses: Array<{ email: string; times: number }>) {
    const a = account(req);
    const form = {
      email: field(req.body, 'email', BULK_TEXT_MAX),
      ...accessFields(req.body),
      scopes: scopeFields(req.body),
      ...untilField(req),
    };
    await refusable(
      async () => {
        const accessUntil = endOfAccess(req, form.accessUntil);
        const made = await invitesService.inviteMany(
          userActor(req),
          userOf(req)!,
          { id: a.id, name: a.name, knownOpen: true },
          { addresses, access: form.access, permissions: form.permissions, scopes: form.scopes, accessUntil },
          localeOf(req),
        );
        const sent = made.outcomes.filter((o) => o.result === 'sent' || o.result === 'queued').length;
        res.set('Cache-Control', 'no-store');
        renderPage(ctx, req, res, 'client/invite-results', {
          title: 'invites.bulkTitle',
          outcomes: made.outcomes,
          sent,
          access: ctx.catalogue.summary(tOf(req), made),
          usersUrl: usersPath(req),
        });
      },
      (refused, status) => renderRefusal(req, res, refused, status, form),
    );
  }

  const resend = async (req: Request, res: Response) => {
    const a = account(req);
    const id = idParam(req.params.inviteId);
    await refusable(
      async () => {
        flashResent(
          req,
          await invitesService.resend(
            userActor(req),
            userOf(req)!,
            { id: a.id, name: a.name, knownOpen: true },
            id,
            localeOf(req),
          ),
        );
        res.redirect(303, usersPath(req));
      },
      (refused, status) =>
        renderRefusal(req, res, refused, status, {
          email: '',
          access: '',
          permissions: [],
          scopes: scopeFields({}),
          accessUntil: '',
        }),
    );
  };

  const confirmCancel = async (req: Request, res: Response) => {
    const invite = await invitesService.pendingOf(account(req).id, idParam(req.params.inviteId));
    renderPage(ctx, req, res, 'client/invite-cancel', {
      title: 'invites.cancelTitle',
      invite,
      usersUrl: usersPath(req),
    });
  };

  const cancel = async (req: Request, res: Response) => {
    const invite = await invitesService.cancel(userActor(req), account(req).id, idParam(req.params.inviteId));
    flash(req, 'success', 'invites.cancelled', { email: invite.email });
    res.redirect(303, usersPath(req));
  };

  /** A pending invitation's access on a page of its own; `form` is what was sent when it is shown again. */
  function renderAccess(
    req: Request,
    res: Response,
    invite: { id: number; email: string; allPermissions: boolean; permissions: string[] },
    form?: { access: string; permissions: string[]; error: string },
    status = 200,
  ) {
    const keys = form ? ctx.catalogue.keys.filter((k) => form.permissions.includes(k)) : invite.permissions;
    renderPage(
      ctx,
      req,
      res,
      'client/invite-access',
      {
        title: 'invites.accessTitle',
        invite,
        accessForm: {
          access: form ? (form.access === 'all' ? 'all' : 'choose') : invite.allPermissions ? 'all' : 'choose',
          keys,
          error: form?.error ?? null,
        },
        usersUrl: usersPath(req),
      },
      status,
    );
  }

  const editAccess = async (req: Request, res: Response) => {
    renderAccess(req, res, await invitesService.pendingOf(account(req).id, idParam(req.params.inviteId)));
  };

  const saveAccess = async (req: Request, res: Response) => {
    const id = idParam(req.params.inviteId);
    const accountId = account(req).id;
    const form = accessFields(req.body);
    await refusable(
      async () => {
        const { invite, changed } = await invitesService.changeAccess(userActor(req), accountId, id, form);
        if (!changed) flash(req, 'info', 'invites.accessUnchanged', { email: invite.email });
        else if (invite.allPermissions) flash(req, 'success', 'invites.accessSavedAll', { email: invite.email });
        else
          flash(req, 'success', 'invites.accessSaved', {
            email: invite.email,
            access: ctx.catalogue.summary(tOf(req), invite),
          });
        res.redirect(303, usersPath(req));
      },
      async (refused, status) =>
        renderAccess(
          req,
          res,
          await invitesService.pendingOf(accountId, id),
          { ...form, error: refused.fieldErrors.permissions ?? refused.messageKey },
          status,
        ),
    );
  };

  /** Unknown, used, cancelled and expired links all get this one page, so none can be told apart. */
  function renderInvalid(req: Request, res: Response) {
    res.set('Cache-Control', 'no-store');
    renderPage(ctx, req, res, 'client/invite-invalid', { title: 'invitePage.invalidTitle' }, 404);
  }

  async function renderInvitation(
    req: Request,
    res: Response,
    valid: ValidInvitation,
    extra: {
      registration?: { firstName: string; lastName: string; errors: RegistrationErrors };
      registrationError?: string;
    } = {},
    status = 200,
  ) {
    const user = userOf(req);
    const { invite } = valid;
    const token = String(req.params.token);
    const wrongAddress = Boolean(user && user.email.trim().toLowerCase() !== invite.email);
    // Read with the invitation when the page asked about this person (`open`'s viewer).
    const member = !user
      ? false
      : valid.viewer?.userId === user.id
        ? valid.viewer.member
        : Boolean(await deps.membersRepo.find(invite.accountId, user.id));
    // Only the holder of the link learns whether its address has a login: the page shows that form first.
    const hasLogin = user ? true : Boolean(await ctx.host.users.findByEmail(invite.email));
    res.set('Cache-Control', 'no-store');
    renderPage(
      ctx,
      req,
      res,
      'client/invite-page',
      {
        title: 'invitePage.title',
        titleParams: { account: valid.accountName },
        accountName: valid.accountName,
        inviterName: valid.inviterName,
        invitedEmail: invite.email,
        access: ctx.catalogue.summary(tOf(req), invite),
        expiresAt: invite.expiresAt,
        pageUrl: `${req.baseUrl}/invite/${token}`,
        signedInUser: user ?? null,
        wrongAddress,
        mustMatch: ctx.settings().requireInvitedAddress,
        alreadyMember: member,
        hasLogin,
        loginUrl: signInUrl(ctx, `${req.baseUrl}/invite/${token}`),
        signOut: signOutForm(ctx, req),
        registration: extra.registration ?? { firstName: '', lastName: '', errors: {} },
        registrationError: extra.registrationError ?? null,
        passwordMin: PASSWORD_MIN,
      },
      status,
    );
  }

  const show = async (req: Request, res: Response) => {
    const valid = await invitesService.open(req.params.token, userOf(req)?.id);
    if (!valid) return renderInvalid(req, res);
    await renderInvitation(req, res, valid);
  };

  const enter = (req: Request, res: Response, accepted: Accepted, user: HostUser) =>
    enterJoined(deps, req, res, accepted, user);

  /** The account has no room for another user: the invitation stays, the owner must make room. */
  function renderFull(req: Request, res: Response, valid: ValidInvitation) {
    res.set('Cache-Control', 'no-store');
    renderPage(
      ctx,
      req,
      res,
      'client/invite-full',
      {
        title: 'invitePage.fullTitle',
        accountName: valid.accountName,
        max: ctx.settings().maxUsersPerAccount,
        expiresAt: valid.invite.expiresAt,
      },
      409,
    );
  }

  /**
   * Why the invitation was not accepted: a link that is not valid, another address than the
   * invited one, or a full account.
   */
  async function renderRefusedAcceptance(req: Request, res: Response, refused: Refusal, status: number) {
    const valid = refused.kind === 'notFound' ? undefined : await invitesService.open(req.params.token);
    if (!valid) return renderInvalid(req, res);
    if (refused.kind === 'conflict') return renderFull(req, res, valid);
    await renderInvitation(req, res, valid, {}, status);
  }

  /** Accepts as `user` and enters the account; a refusal shows the invitation's page that explains it. */
  async function acceptAndEnter(req: Request, res: Response, user: HostUser) {
    await refusable(
      async () => enter(req, res, await invitesService.accept(userActor(req, user), user, req.params.token), user),
      (refused, status) => renderRefusedAcceptance(req, res, refused, status),
      ['notFound', 'forbidden', 'conflict'],
    );
  }

  const accept = async (req: Request, res: Response) => {
    // Signed in: the route table sends anyone else back to the invitation page.
    await acceptAndEnter(req, res, userOf(req)!);
  };

  const register = async (req: Request, res: Response) => {
    const valid = await invitesService.open(req.params.token);
    if (!valid) return renderInvalid(req, res);
    const firstName = field(req.body, 'firstName', NAME_MAX + 1);
    const lastName = field(req.body, 'lastName', NAME_MAX + 1);
    const password = rawPassword(req.body, 'password');
    const passwordConfirm = rawPassword(req.body, 'passwordConfirm');
    const errors: RegistrationErrors = {};
    if (!firstName) errors.firstName = 'invitePage.errors.firstName';
    else if (firstName.length > NAME_MAX) errors.firstName = 'invitePage.errors.nameTooLong';
    else if (hasControlCharacters(firstName)) errors.firstName = 'invitePage.errors.nameCharacters';
    if (!lastName) errors.lastName = 'invitePage.errors.lastName';
    else if (lastName.length > NAME_MAX) errors.lastName = 'invitePage.errors.nameTooLong';
    else if (hasControlCharacters(lastName)) errors.lastName = 'invitePage.errors.nameCharacters';
    if (password.length < PASSWORD_MIN) errors.password = 'invitePage.errors.passwordShort';
    else if (password.length > PASSWORD_MAX) errors.password = 'invitePage.errors.passwordLong';
    else if (password !== passwordConfirm) errors.passwordConfirm = 'invitePage.errors.passwordMismatch';
    const registration = { firstName: firstName.slice(0, NAME_MAX), lastName: lastName.slice(0, NAME_MAX), errors };
    if (Object.keys(errors).length > 0) return renderInvitation(req, res, valid, { registration }, 422);

    const { host } = ctx;
    const email = valid.invite.email;
    // No login is made for an account that could not take its user anyway.
    if (!(await invitesService.hasRoom(valid.invite.accountId))) return renderFull(req, res, valid);
    const exists = () =>
      renderInvitation(req, res, valid, { registration, registrationError: 'invitePage.errors.exists' }, 409);
    if (await host.users.findByEmail(email)) return exists();
    let user: HostUser;
    try {
      // No saved language: the new user's pages follow their own browser, not the inviter's.
      user = await host.users.create({ email, firstName, lastName, password });
    } catch (err) {
      // The same address registered a moment ago (a double click, another tab).
      if (isUniqueViolation(err)) return exists();
      throw err;
    }
    // The host signs the new user in its own way (new session id, its UserLogin hook and bookkeeping);
    // a host that loads its user per request shows them only from the next one, so `user` is used here.
    await host.users.signIn(req, user, `${req.baseUrl}/invite/${String(req.params.token)}`);
    generateToken(req, true);
    await acceptAndEnter(req, res, user);
  };

  return { create, resend, confirmCancel, cancel, editAccess, saveAccess, show, accept, register };
}
