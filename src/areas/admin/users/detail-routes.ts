import { Router, type Request, type Response } from 'express';
import type { Action } from '../../../access/policies';
import type { Command } from '../../../access/command';
import { submitForm } from '../../../web/forms';
import { idParam } from '../../../shared/validation';
import { requestMeta } from '../../../web/request-meta';
import { destroySession, takeFlash } from '../../../web/session/ops';
import type { AdminDeps } from '../deps';
import { userConfirmation } from './confirm-pages';
import { loadDetailPage } from './detail-page';
import { updateProfile } from '../../../domain/users/commands/update-profile';
import { disableUser } from '../../../domain/users/commands/disable';
import { enableUser } from '../../../domain/users/commands/enable';
import { unlockUser } from '../../../domain/users/commands/unlock';
import { resetPassword } from '../../../domain/users/commands/reset-password';
import { assignEstablishment } from '../../../domain/users/commands/assign-establishment';
import { unassignEstablishment } from '../../../domain/users/commands/unassign-establishment';
import { moveEstablishment } from '../../../domain/users/commands/move-establishment';
import { resumeAssignment } from '../../../domain/users/commands/resume-assignment';
import {
  setAccountValidity,
  setAssignmentValidity,
} from '../../../domain/users/commands/set-validity';
import { lastValidDay } from '../../../domain/users/validity';
import { grantRole } from '../../../domain/users/commands/grant-role';
import { revokeRole } from '../../../domain/users/commands/revoke-role';
import { setExemption } from '../../../domain/users/commands/set-exemption';
import { clearExemption } from '../../../domain/users/commands/clear-exemption';
import { endSession } from '../../../domain/users/commands/end-session';
import { endAllSessions } from '../../../domain/users/commands/end-all-sessions';

const VIEW = 'admin/user-detail';

/** A user id from the URL; anything else (e.g. /admin/users/new) is another route's business. */
const idOf = (req: Request): number | null => idParam(req.params.id);

type Run<R> = Command<Action, unknown, R>;

/**
 * GET /admin/users/:id, the user detail page, and one POST per change on it. Each change is a
 * command (authorize, validate, change and audit in one transaction); a refused form comes back
 * with its per-field messages, a done one redirects to the page with a one-time message.
 */
export function userDetailRoutes(deps: AdminDeps) {
  const router = Router();
  const ownSessionLives = async (req: Request, userId: number) =>
    (await deps.sessions.list(userId)).includes(req.sessionID);
  const page = async (res: Response, userId: number) => ({
    ...(await loadDetailPage(deps, res.locals.actor, userId)),
    values: {},
    errors: {},
  });

  router.get('/:id', deps.policy('users.read'), async (req, res, next) => {
    const userId = idOf(req);
    if (!userId) return next('route');
    res.render(VIEW, { ...(await page(res, userId)), flash: takeFlash(req) });
  });

  /**
   * GET /admin/users/:id/confirm/<act>: what an act that cannot be undone in one click will do,
   * to whom, before its form posts it (src/areas/admin/users/confirm-pages.ts). Reading it
   * changes nothing; the act's own route still checks everything.
   */
  router.get('/:id/confirm/:what', deps.policy('users.read'), async (req, res, next) => {
    const userId = idOf(req);
    if (!userId) return next('route');
    const {
      page: detail,
      title,
      ...confirmation
    } = await userConfirmation(deps, res.locals.actor, userId, String(req.params.what), req);
    res.render('admin/confirm', {
      title: `${title} · ${detail.person.fullName}`,
      confirmTitle: title,
      section: 'users',
      ...confirmation,
    });
  });

  /** One change: POST /admin/users/:id/<path>, back to the page's `anchor` with `done(result)`. */
  function change<R>(path: string, run: Run<R>, anchor: string, done: (result: R) => string) {
    router.post(`/:id/${path}`, deps.policy(run), async (req, res, next) => {
      const userId = idOf(req);
      if (!userId) return next('route');
      const values = { ...(req.body as Record<string, unknown>) };
      const outcome = await submitForm(
        res,
        VIEW,
        () => page(res, userId),
        values,
        () => run(res.locals.actor, { ...values, userId }, requestMeta(req)),
      );
      if (!outcome.ok) return;
      // An admin who ended their own current session: saving this request's session would
      // bring it back to life, outside the index. It is over; the login page is next.
      if (userId === res.locals.actor.userId && !(await ownSessionLives(req, userId))) {
        await destroySession(req);
        return res.redirect(303, '/login');
      }
      // Shown inside the section the page jumps to, not at the top out of view.
      req.session.flash = { kind: 'info', text: done(outcome.value), section: anchor };
      res.redirect(303, `/admin/users/${userId}#${anchor}`);
    });
  }

  change('profile', updateProfile(deps), 'datos', () => 'Se guardaron los datos.');
  change(
    'disable',
    disableUser(deps),
    'estado',
    () => 'Se deshabilitó la cuenta y se cerraron todas sus sesiones.',
  );
  change(
    'enable',
    enableUser(deps),
    'estado',
    () => 'Se habilitó la cuenta: la persona ya puede iniciar sesión.',
  );
  change(
    'unlock',
    unlockUser(deps),
    'estado',
    () => 'Se desbloqueó la cuenta: la persona ya puede volver a iniciar sesión.',
  );
  change(
    'establishments',
    assignEstablishment(deps),
    'establecimientos',
    ({ name }) => `Se asignó ${name}.`,
  );
  change(
    'establishments/remove',
    unassignEstablishment(deps),
    'establecimientos',
    ({ name }) =>
      `Se quitó ${name}. Si la persona tenía una sesión abierta en ese establecimiento, se cerró.`,
  );
  change(
    'establishments/move',
    moveEstablishment(deps),
    'establecimientos',
    ({ from, to }) =>
      `Se trasladó de ${from} a ${to}. Si la persona tenía una sesión abierta en ${from}, se cerró.`,
  );
  change('validity', setAccountValidity(deps), 'estado', ({ validUntil }) =>
    validUntil
      ? `La cuenta vale hasta el ${lastValidDay(validUntil)} inclusive.`
      : 'La cuenta ya no tiene vencimiento.',
  );
  change(
    'establishments/validity',
    setAssignmentValidity(deps),
    'establecimientos',
    ({ name, validUntil }) =>
      validUntil
        ? `La asignación a ${name} vale hasta el ${lastValidDay(validUntil)} inclusive.`
        : `La asignación a ${name} ya no tiene vencimiento.`,
  );
  change(
    'establishments/resume',
    resumeAssignment(deps),
    'establecimientos',
    ({ name }) => `Se reactivó ${name}: vuelve a ofrecerse al iniciar sesión.`,
  );
  change(
    'roles',
    grantRole(deps),
    'roles',
    () => 'Se asignó el rol. Rige desde la próxima acción de la persona, sin volver a ingresar.',
  );
  change(
    'roles/remove',
    revokeRole(deps),
    'roles',
    () => 'Se quitó el rol. Rige desde la próxima acción de la persona.',
  );
  change(
    'exemption',
    setExemption(deps),
    'exencion',
    () => 'Se registró la exención de Identidad Electrónica.',
  );
  change(
    'exemption/clear',
    clearExemption(deps),
    'exencion',
    () => 'Se quitó la exención de Identidad Electrónica.',
  );
  change('sessions/end', endSession(deps), 'sesiones', () => 'Se cerró la sesión.');
  change(
    'sessions/end-all',
    endAllSessions(deps),
    'sesiones',
    () => 'Se cerraron todas las sesiones de la persona.',
  );

  /** The one-time password is shown once, on this response, and never stored or logged. */
  const reset = resetPassword(deps);
  router.post('/:id/password', deps.policy(reset), async (req, res, next) => {
    const userId = idOf(req);
    if (!userId) return next('route');
    const done = await reset(res.locals.actor, { userId }, requestMeta(req));
    res.render('admin/user-password', {
      title: 'Contraseña restablecida',
      section: 'users',
      ...done,
    });
  });

  return router;
}
