import { takeLoginReturn } from '../../web/login-return';
import { Router, type RequestHandler } from 'express';
import { idField } from '../../shared/validation';
import { z } from 'zod';
import type { EstablishmentLogin } from '../../domain/authentication/establishment-login';
import { parseForm } from '../../web/validate';
import { requestMeta } from '../../web/request-meta';
import { destroySession, regenerateSession } from '../../web/session/ops';
import type { SessionIndex } from '../../domain/sessions/session-index';
import type { RecordLoginEvent } from '../../domain/audit/recorder';
import type { Clock } from '../../shared/clock';
import { formatCedula } from '../../shared/cedula';
import { lastValidDay } from '../../domain/users/validity';
import type { Policy } from '../../web/policy';

const choiceForm = z.object({ establishmentId: idField('Seleccione un establecimiento.') });

/** A pending login older than this is dropped: the person must authenticate again. */
const PENDING_TTL_MS = 10 * 60_000;

export interface EstablishmentRoutesDeps {
  establishmentLogin: EstablishmentLogin;
  sessions: SessionIndex;
  record: RecordLoginEvent;
  clock: Clock;
  policy: Policy;
  /** The e-ID provider's logout URL, when it has one (shared PCs: end its session too). */
  endProviderSession: () => Promise<string | null>;
}

/** /login/establishment (the last login step, also the e-ID confirmation) and /login/cancel. */
export function establishmentStep(deps: EstablishmentRoutesDeps) {
  const router = Router();

  const pendingOf: RequestHandler = (req, res, next) => {
    const pending = req.session.pending;
    if (!pending || deps.clock.now().getTime() - pending.startedAt > PENDING_TTL_MS) {
      delete req.session.pending;
      req.session.flash = { kind: 'info', text: 'Inicie sesión para continuar.' };
      return res.redirect(303, '/login');
    }
    next();
  };

  const renderChoice = async (
    req: Parameters<RequestHandler>[0],
    res: Parameters<RequestHandler>[1],
    status: number,
    error?: string,
  ) => {
    const pending = req.session.pending!;
    const screen = await deps.establishmentLogin.choices(pending.userId);
    if (!screen) {
      await destroySession(req);
      return res.redirect(303, '/login');
    }
    if (screen.establishments.length === 0) {
      await deps.record({
        ...requestMeta(req),
        userId: screen.user.id,
        username: screen.user.username,
        method: pending.method,
        outcome: 'failure',
        reason: screen.expired.length ? 'assignment_expired' : 'no_establishment',
      });
      await destroySession(req);
      return res.status(403).render('no-establishment', {
        title: screen.expired.length
          ? 'Asignación vencida'
          : screen.inactive.length
            ? 'Establecimiento desactivado'
            : 'Sin establecimiento asignado',
        person: screen.user,
        inactive: screen.inactive,
        expired: screen.expired.map((e) => `${e.name} (hasta el ${lastValidDay(e.validUntil)})`),
      });
    }
    res.status(status).render('establishment', {
      title: pending.method === 'eid' ? 'Confirmar ingreso' : 'Seleccionar establecimiento',
      method: pending.method,
      person: screen.user,
      cedula: formatCedula(screen.user.documentNumber),
      establishments: screen.establishments,
      preselectedId: screen.preselectedId,
      error,
    });
  };

  const open = deps.policy('public');

  router.get('/establishment', open, pendingOf, (req, res) => renderChoice(req, res, 200));

  router.post('/establishment', open, pendingOf, async (req, res) => {
    const form = parseForm(choiceForm, req);
    const pending = req.session.pending!;
    const opened =
      form && (await deps.establishmentLogin.open(pending, form.establishmentId, requestMeta(req)));
    if (!opened)
      return renderChoice(req, res, 400, 'Seleccione uno de sus establecimientos asignados.');
    await regenerateSession(req);
    req.session.auth = { ...opened.session, ...requestMeta(req) };
    req.session.lastLoginNotice = opened.lastLogin;
    await deps.sessions.add(opened.session.userId, req.sessionID);
    // A module's sign-in that sent the person here goes on (src/areas/oidc).
    res.redirect(303, takeLoginReturn(req, res) ?? '/');
  });

  /** "No soy yo" / "Cancelar": ends the attempt without a session. */
  router.post('/cancel', open, async (req, res) => {
    const pending = req.session.pending;
    if (pending) {
      await deps.record({
        ...requestMeta(req),
        userId: pending.userId,
        method: pending.method,
        outcome: 'failure',
        reason: 'cancelled_by_user',
      });
    }
    await regenerateSession(req);
    req.session.flash = {
      kind: 'info',
      text: 'Se canceló el ingreso. Puede iniciar sesión con otra cuenta.',
    };
    // On a shared PC the provider's own session must end too, or the next person inherits it.
    const providerLogout = pending?.method === 'eid' ? await deps.endProviderSession() : null;
    res.redirect(303, providerLogout ?? '/login');
  });

  return router;
}
