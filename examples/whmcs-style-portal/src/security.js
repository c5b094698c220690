const crypto = require('node:crypto');

/** Only a path on this site: never another host (`//evil`, `/\evil`) after sign-in. */
function safeReturnPath(value) {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && value.length <= 2000 ? value : undefined;
}

/** The portal's own CSRF token for its own forms, kept in the session. */
function csrfToken(req, res, next) {
  if (req.session && !req.session.portalCsrf) req.session.portalCsrf = crypto.randomBytes(24).toString('base64url');
  res.locals.csrfToken = req.session?.portalCsrf;
  next();
}

/** The token the portal's own forms carry (also the hidden field of its sign-out form). */
const csrfTokenOf = (req) => req.session?.portalCsrf ?? '';

function checkCsrf(req, res, next) {
  const sent = Buffer.from(String(req.body?._csrf ?? ''));
  const kept = Buffer.from(String(req.session?.portalCsrf ?? ''));
  if (kept.length > 0 && sent.length === kept.length && crypto.timingSafeEqual(sent, kept)) return next();
  next(
    Object.assign(new Error('invalid form token'), {
      status: 403,
      publicMessage: 'The form had expired. Please try again.',
    }),
  );
}

/** A promise around express-session's callback methods. */
const sessionStep = (req, method) =>
  new Promise((resolve, reject) => req.session[method]((err) => (err ? reject(err) : resolve())));

module.exports = { safeReturnPath, csrfToken, csrfTokenOf, checkCsrf, sessionStep };
