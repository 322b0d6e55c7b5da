import { Router } from 'express';
import type { MeDeps } from './deps';
import { requestMeta } from '../../web/request-meta';
import { ValidationError } from '../../shared/validation';
import { formatDateTime } from '../../shared/time';
import { acceptAgreement } from '../../domain/agreements/commands/accept';

/**
 * GET /me/agreement: the confidentiality agreement in force, with "Acepto" while the person has
 * not accepted it (every other page leads here until then: src/web/session/identify.ts), and
 * with when they accepted it afterwards. POST accepts the version shown.
 */
export function agreementRoutes(deps: MeDeps) {
  const router = Router();
  const accept = acceptAgreement(deps);

  const render = async (
    res: Parameters<Parameters<typeof router.get>[1]>[1],
    status = 200,
    error?: string,
  ) => {
    const current = await deps.repos.agreements.current();
    if (!current) return res.redirect(303, '/');
    const mine = (await deps.repos.agreements.acceptancesOf(res.locals.actor.userId)).find(
      (a) => a.version === current.version,
    );
    res.status(status).render('me/agreement', {
      title: 'Acuerdo de confidencialidad',
      agreement: current,
      publishedAt: formatDateTime(current.publishedAt),
      accepted: mine ? { ...mine, at: formatDateTime(mine.acceptedAt) } : null,
      error,
    });
  };

  router.get('/agreement', deps.policy('authenticated'), async (_req, res) => render(res));

  router.post('/agreement', deps.policy(accept), async (req, res) => {
    try {
      const { version } = await accept(res.locals.actor, req.body, requestMeta(req));
      req.session.flash = {
        kind: 'info',
        text: `Gracias. Aceptó el acuerdo de confidencialidad (versión ${version}).`,
      };
    } catch (err) {
      if (err instanceof ValidationError) return render(res, 409, err.publicMessage);
      throw err;
    }
    res.redirect(303, '/');
  });

  return router;
}
