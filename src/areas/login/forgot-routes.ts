import { Router, type Request, type Response } from 'express';
import type { Clock } from '../../shared/clock';
import type { Policy } from '../../web/policy';
import type { IdentityCache } from '../../domain/sessions/identity-cache';
import { submitForm } from '../../web/forms';
import { requestMeta } from '../../web/request-meta';
import { regenerateSession, takeFlash } from '../../web/session/ops';
import { beginPasswordReset } from './password-reset';
import { actorFrom } from '../../access/identity';
import { AppError } from '../../shared/errors';
import { formatCedula } from '../../shared/cedula';
import { acceptedPasswordFields } from '../../domain/passwords/new-password';
import {
  RESET_EXPIRED_MESSAGE,
  RESET_WINDOW_MINUTES,
  resetPasswordWithEid,
  type ResetPasswordDeps,
} from '../../domain/passwords/commands/reset-with-eid';

const VIEW = 'me/forgot-new-password';

export type ForgotDeps = ResetPasswordDeps & {
  clock: Clock;
  policy: Policy;
  identities: IdentityCache;
  /** Whether the e-ID provider answers (the page says so when not). */
  eidAvailable: () => boolean;
};

/**
 * "¿Olvidó su contraseña?": GET/POST /login/forgot (explains, then starts an e-ID login marked
 * for a password reset) and GET/POST /login/forgot/new-password (the person the e-ID verified
 * sets a new HIS password). No administrator is involved and no session is opened: the person
 * logs in afterwards like anyone else.
 */
export function forgotPasswordRoutes(deps: ForgotDeps) {
  const router = Router();
  const open = deps.policy('public');
  const reset = resetPasswordWithEid(deps);

  const startOver = (req: Request, res: Response, text: string, kind: 'info' | 'error') => {
    delete req.session.passwordResetVerified;
    req.session.flash = { kind, text };
    res.redirect(303, '/login/forgot');
  };

  /** The verified person of this browser's reset slice, or null after sending them back. */
  const verifiedPerson = async (req: Request, res: Response) => {
    const slice = req.session.passwordResetVerified;
    const identity = slice && (await deps.identities.get(slice.userId));
    if (!slice || !identity) {
      startOver(
        req,
        res,
        'Para crear una contraseña nueva, primero verifique su identidad.',
        'info',
      );
      return null;
    }
    const locals = {
      title: 'Nueva contraseña',
      person: identity,
      cedula: formatCedula(identity.documentNumber),
    };
    return { slice, identity, locals };
  };

  router.get('/forgot', open, (req, res) => {
    res.render('me/forgot', {
      title: '¿Olvidó su contraseña?',
      signedIn: Boolean(req.session.auth),
      eidAvailable: deps.eidAvailable(),
      flash: takeFlash(req),
    });
  });

  router.post('/forgot', open, async (req, res) => {
    if (req.session.auth) return res.redirect(303, '/login/forgot');
    await beginPasswordReset(req, deps.clock.now());
    res.redirect(303, '/auth/eid?intent=password-reset');
  });

  router.get('/forgot/new-password', open, async (req, res) => {
    const verified = await verifiedPerson(req, res);
    if (!verified) return;
    const age = deps.clock.now().getTime() - verified.slice.verifiedAt;
    if (age > RESET_WINDOW_MINUTES * 60_000)
      return startOver(req, res, RESET_EXPIRED_MESSAGE, 'error');
    res.render(VIEW, { ...verified.locals, values: {}, errors: {} });
  });

  router.post('/forgot/new-password', open, async (req, res) => {
    const verified = await verifiedPerson(req, res);
    if (!verified) return;
    const { slice, identity, locals } = verified;
    const meta = { ...requestMeta(req), verifiedAt: new Date(slice.verifiedAt) };
    try {
      const done = await submitForm(
        res,
        VIEW,
        locals,
        (errors) => acceptedPasswordFields(req.body, errors),
        () => reset(actorFrom(identity, null), req.body, meta),
      );
      if (!done.ok) return;
    } catch (err) {
      if (err instanceof AppError && err.code === 'password_reset_expired')
        return startOver(req, res, err.publicMessage, 'error');
      throw err;
    }
    // A new anonymous session: the verified slice is gone, and no session is opened.
    await regenerateSession(req);
    req.session.flash = {
      kind: 'info',
      text: `Su nueva contraseña quedó guardada. Inicie sesión con su usuario «${identity.username}» y la nueva contraseña.`,
    };
    req.session.loginUsername = identity.username;
    res.redirect(303, '/login');
  });

  return router;
}
