import { Router, type Response } from 'express';
import type { AdminDeps } from '../deps';
import { submitForm } from '../../../web/forms';
import { requestMeta } from '../../../web/request-meta';
import { takeFlash } from '../../../web/session/ops';
import { formatDateTime } from '../../../shared/time';
import { registerModule } from '../../../domain/modules/commands/register';
import { disableModule, enableModule } from '../../../domain/modules/commands/set-enabled';
import { rotateModuleSecret } from '../../../domain/modules/commands/rotate-secret';

const VIEW = 'admin/modules/index';
const SECRET_VIEW = 'admin/modules/secret';

/** One URI per line of a textarea; blank lines dropped. */
const lines = (value: unknown): string[] =>
  typeof value === 'string'
    ? value
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
    : [];

/**
 * /admin/modules: the HIS modules that sign people in through the OpenID Provider ("Módulos del
 * HIS", network-wide admins): the list, "Registrar módulo" (the client_id and secret shown once,
 * on the answer to the form itself: never in a URL, a session or the audit), "Deshabilitar" /
 * "Habilitar", and "Nuevo secreto". The CLI's client:* commands run the same commands.
 */
export function moduleAdminRoutes(deps: AdminDeps) {
  const router = Router();
  const register = registerModule(deps);
  const disable = disableModule(deps);
  const enable = enableModule(deps);
  const rotate = rotateModuleSecret(deps);
  const issuer = `${deps.config.baseUrl}/oidc`;

  const page = async () => ({
    title: 'Módulos del HIS',
    section: 'modules',
    issuer,
    modules: (await deps.repos.oidcClients.list()).map((m) => ({
      ...m,
      created: formatDateTime(m.createdAt),
    })),
  });

  const showSecret = (
    res: Response,
    name: string,
    done: { clientId: string; clientSecret: string },
    fresh: boolean,
  ) => {
    res.set('Cache-Control', 'no-store');
    res.render(SECRET_VIEW, {
      title: fresh ? 'Módulo registrado' : 'Nuevo secreto',
      section: 'modules',
      name,
      fresh,
      issuer,
      ...done,
    });
  };

  router.get('/', deps.policy('modules.list'), async (req, res) => {
    res.render(VIEW, { ...(await page()), flash: takeFlash(req), values: {}, errors: {} });
  });

  router.post('/', deps.policy(register), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const backchannel =
      typeof body.backchannelLogoutUri === 'string' ? body.backchannelLogoutUri.trim() : '';
    const input = {
      name: body.name,
      redirectUris: lines(body.redirectUris),
      postLogoutRedirectUris: lines(body.postLogoutRedirectUris),
      backchannelLogoutUri: backchannel || null,
    };
    const values = {
      name: body.name,
      redirectUris: body.redirectUris,
      postLogoutRedirectUris: body.postLogoutRedirectUris,
      backchannelLogoutUri: body.backchannelLogoutUri,
    };
    const done = await submitForm(res, VIEW, page, values, () =>
      register(res.locals.actor, input, requestMeta(req)),
    );
    if (done.ok) showSecret(res, String(body.name).trim(), done.value, true);
  });

  router.post('/:clientId/disable', deps.policy(disable), async (req, res) => {
    await disable(res.locals.actor, { clientId: req.params.clientId }, requestMeta(req));
    req.session.flash = {
      kind: 'info',
      text: 'Módulo deshabilitado: sus ingresos y sus tokens se rechazan desde ahora.',
    };
    res.redirect(303, '/admin/modules');
  });

  router.post('/:clientId/enable', deps.policy(enable), async (req, res) => {
    await enable(res.locals.actor, { clientId: req.params.clientId }, requestMeta(req));
    req.session.flash = { kind: 'info', text: 'Módulo habilitado.' };
    res.redirect(303, '/admin/modules');
  });

  router.post('/:clientId/secret', deps.policy(rotate), async (req, res) => {
    const done = await rotate(
      res.locals.actor,
      { clientId: req.params.clientId },
      requestMeta(req),
    );
    showSecret(res, done.name, done, false);
  });

  return router;
}
