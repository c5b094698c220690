import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { rateLimit } from 'express-rate-limit';
import { safeReturnPath, type HostUser, type UserLoginPayload } from '../module/index';
import { generateToken } from './csrf';
import { DUMMY_HASH, verifyPassword } from './passwords';
import { toHostUser, USER_COLUMNS, type UserRow } from './host-contract';
import type { Hooks } from './hook-registry';
import { KnexRateLimitStore } from './rate-limit-store';
import type { createLayout } from './layout';
import { formField } from './form';

type Layout = ReturnType<typeof createLayout>;

/** passport-local against the portal's users table; the session stores only the user id. */
export function configurePassport(knex: Knex): passport.PassportStatic {
  const p = new passport.Passport() as unknown as passport.PassportStatic;
  p.use(
    'local',
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      (async () => {
        const normalised = typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
        const row = await knex('users')
          .where('email', normalised)
          .first<(UserRow & { password_hash: string }) | undefined>([...USER_COLUMNS, 'password_hash']);
        const ok = await verifyPassword(String(password ?? '').slice(0, 1024), row?.password_hash ?? DUMMY_HASH);
        return ok && row ? toHostUser(row) : false;
      })().then((user) => done(null, user), done);
    }),
  );
  p.serializeUser((user, done) => done(null, (user as HostUser).id));
  p.deserializeUser((id: unknown, done) => {
    knex('users')
      .where('id', Number(id))
      .first(USER_COLUMNS)
      .then((row: UserRow | undefined) => done(null, row ? toHostUser(row) : false), done);
  });
  return p;
}

/** What every sign-in limit shares: a 15-minute window in the database, and the 429 page. */
function limitOptions(knex: Knex, prefix: string, limit: number) {
  return {
    windowMs: 15 * 60 * 1000,
    limit,
    standardHeaders: 'draft-7' as const,
    legacyHeaders: false,
    store: new KnexRateLimitStore(knex, prefix),
    handler: (_req: Request, res: Response, next: NextFunction) => {
      res.status(429);
      next(
        Object.assign(new Error('too many attempts'), {
          status: 429,
          expose: true,
          messageKey: 'errors.tooManyAttempts',
        }),
      );
    },
  };
}

/** Attempts per client address. */
export function loginLimiter(knex: Knex, prefix: string, limit: number) {
  return rateLimit(limitOptions(knex, prefix, limit));
}

/**
 * Attempts per e-mail address, from whatever client addresses they come: a new address no longer
 * buys 20 fresh tries at one login. Unknown addresses count the same, so the answer tells nothing;
 * the key is a hash, so the limiter's table holds no addresses.
 */
export function loginEmailLimiter(knex: Knex, prefix: string, limit: number) {
  return failuresPerLogin(knex, prefix, limit, (req) => formField(req.body, 'email'));
}

/** Failed attempts per login (its e-mail address, hashed), whichever client address they come from. */
export function failuresPerLogin(knex: Knex, prefix: string, limit: number, emailOf: (req: Request) => string) {
  return rateLimit({
    ...limitOptions(knex, prefix, limit),
    // A successful sign-in gives its attempt back: only failures use up an address's tries.
    skipSuccessfulRequests: true,
    keyGenerator: (req) => createHash('sha256').update(emailOf(req).trim().toLowerCase().slice(0, 254)).digest('hex'),
  });
}

export type SignIn = (req: Request, user: HostUser, returnTo?: string) => Promise<string>;

/**
 * The portal's one way of signing a person in, from its login form or (through the host
 * contract) from an invitation: passport regenerates the session (no fixation), the absolute
 * timeout starts, the CSRF token is issued anew, and UserLogin decides where to go next.
 */
export function createSignIn(deps: { knex: Knex; hooks: Hooks; moduleActive: () => boolean }): SignIn {
  return async (req, user, returnTo) => {
    await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err as Error) : resolve())));
    req.session.startedAt = Date.now();
    const before = await deps
      .knex('users')
      .where('id', user.id)
      .first<{ last_sign_in_at: number | string | null } | undefined>('last_sign_in_at');
    req.session.firstSignIn = before?.last_sign_in_at == null;
    await deps.knex('users').where('id', user.id).update({ last_sign_in_at: req.session.startedAt });
    generateToken(req, true);
    const payload: UserLoginPayload = { user, req, returnTo: safeReturnPath(returnTo) };
    await deps.hooks.emit('UserLogin', payload);
    if (!deps.moduleActive()) {
      const own = await deps.knex('accounts').where('primary_user_id', user.id).first<{ id: number } | undefined>('id');
      payload.redirect = own ? (payload.returnTo ?? '/') : '/no-account';
    }
    return payload.redirect ?? payload.returnTo ?? '/';
  };
}

export function authRoutes(deps: { knex: Knex; passport: passport.PassportStatic; layout: Layout; signIn: SignIn }) {
  const r = express.Router();
  const { layout } = deps;

  const showLogin = (req: Request, res: Response, status = 200, error?: string) =>
    layout.page(
      req,
      res,
      'login',
      {
        title: 'login.title',
        error,
        email: formField(req.body, 'email').slice(0, 254),
        returnTo: safeReturnPath(req.query.returnTo ?? formField(req.body, 'returnTo')) ?? '',
      },
      status,
    );

  r.get('/login', (req, res, next) => {
    if (req.user) return res.redirect(safeReturnPath(req.query.returnTo) ?? '/');
    showLogin(req, res).catch(next);
  });

  r.post(
    '/login',
    loginLimiter(deps.knex, 'login', 20),
    loginEmailLimiter(deps.knex, 'login-email', 10),
    (req: Request, res: Response, next: NextFunction) => {
      (
        deps.passport.authenticate('local', (err: unknown, user: HostUser | false) => {
          if (err) return next(err);
          if (!user) return showLogin(req, res, 401, 'login.failed').catch(next);
          deps
            .signIn(req, user, formField(req.body, 'returnTo'))
            .then((next303) => req.session.save(() => res.redirect(303, next303)))
            .catch(next);
        }) as RequestHandler
      )(req, res, next);
    },
  );

  r.post('/logout', (req, res, next) => {
    // Ends the session in the store, not only in the browser.
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy((destroyErr) => {
        if (destroyErr) return next(destroyErr);
        res.clearCookie('portal.sid');
        res.redirect(303, '/login');
      });
    });
  });

  return r;
}
