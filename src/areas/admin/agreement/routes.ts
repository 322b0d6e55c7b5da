import { Router, type Response } from 'express';
import type { AdminDeps } from '../deps';
import { submitForm } from '../../../web/forms';
import { requestMeta } from '../../../web/request-meta';
import { takeFlash } from '../../../web/session/ops';
import { formatDateTime } from '../../../shared/time';
import { can } from '../../../access/policies';
import { publishAgreement } from '../../../domain/agreements/commands/publish';

const VIEW = 'admin/agreement/index';

/**
 * /admin/agreement: the confidentiality agreement every person accepts before any page (Ley
 * 7593). Every administrator reads the version in force, how many active accounts accepted it and
 * the earlier versions; network-wide administrators publish a new version (POST), which everyone
 * then accepts at their next page.
 */
export function agreementAdminRoutes(deps: AdminDeps) {
  const router = Router();
  const publish = publishAgreement(deps);

  const page = async (res: Response) => {
    const versions = await deps.repos.agreements.list();
    const current = versions[0] ?? null;
    return {
      title: 'Acuerdo de confidencialidad',
      section: 'agreement',
      current,
      progress: current ? await deps.repos.agreements.progress(current.version) : null,
      versions: versions.map((v) => ({ ...v, at: formatDateTime(v.publishedAt) })),
      canPublish: can(res.locals.actor, 'agreement.publish', undefined),
    };
  };

  router.get('/', deps.policy('agreement.read'), async (req, res) => {
    const locals = await page(res);
    res.render(VIEW, {
      ...locals,
      flash: takeFlash(req),
      values: { title: locals.current?.title ?? '', body: locals.current?.body ?? '' },
      errors: {},
    });
  });

  router.post('/', deps.policy(publish), async (req, res) => {
    const values = { title: req.body?.title, body: req.body?.body };
    const done = await submitForm(
      res,
      VIEW,
      () => page(res),
      values,
      () => publish(res.locals.actor, req.body, requestMeta(req)),
    );
    if (!done.ok) return;
    req.session.flash = {
      kind: 'info',
      text: `Se publicó la versión ${done.value.version}. Cada persona deberá aceptarla antes de seguir usando el sistema.`,
    };
    res.redirect(303, '/admin/agreement');
  });

  return router;
}
