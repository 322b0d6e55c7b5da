import express from 'express';
import type { Provider } from 'oidc-provider';
import { authenticateCitizen } from './accounts';
import { normalizeCedula } from '../shared/cedula';
import { BAD_CREDENTIALS_MESSAGE, renderErrorPage, renderLoginScreen, sendHtml } from './views';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Every client of the sandbox is first-party: consent is given without asking. */
const GRANTED_SCOPE = 'openid profile email';

async function grantConsent(
  provider: Provider,
  details: InteractionDetails,
  accountId: string,
): Promise<string> {
  const clientId = String(details.params.client_id);
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant =
    existing?.accountId === accountId ? existing : new provider.Grant({ accountId, clientId });
  grant.addOIDCScope(GRANTED_SCOPE);
  const missingClaims = details.prompt.details.missingOIDCClaims;
  if (Array.isArray(missingClaims)) grant.addOIDCClaims(missingClaims as string[]);
  return grant.save();
}

/** Loads the interaction of the cookie, or answers with a Spanish page when it has expired. */
async function loadInteraction(
  provider: Provider,
  req: express.Request,
  res: express.Response,
): Promise<InteractionDetails | null> {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid === req.params.uid) return details;
  } catch {
    // SessionNotFound: no cookie, or the interaction expired; the page below says what to do.
  }
  const message = 'Tu solicitud de autenticación expiró. Volvé a intentarlo desde el sistema.';
  sendHtml(res, 400, await renderErrorPage('Solicitud vencida', message, 'session_not_found'));
  return null;
}

/**
 * `GET/POST /interaction/:uid`: the OpenID Provider's login step, on the same MITIC-style screen.
 * A consent-only interaction (a logged-in citizen, a new grant needed) finishes without a page.
 */
export function oidcInteractionRoutes(provider: Provider): express.Router {
  const router = express.Router();

  router.get('/interaction/:uid', async (req, res) => {
    const details = await loadInteraction(provider, req, res);
    if (!details) return;
    const accountId = details.session?.accountId;
    if (details.prompt.name !== 'login' && accountId) {
      const grantId = await grantConsent(provider, details, accountId);
      await provider.interactionFinished(req, res, { consent: { grantId } });
      return;
    }
    const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
    const cedula = normalizeCedula(hint) ?? '';
    const action = `/interaction/${details.uid}`;
    sendHtml(res, 200, await renderLoginScreen({ action, hidden: {}, cedula }));
  });

  router.post(
    '/interaction/:uid',
    express.urlencoded({ extended: false, limit: '8kb' }),
    async (req, res) => {
      const details = await loadInteraction(provider, req, res);
      if (!details) return;
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.action === 'cancel') {
        const result = { error: 'access_denied', error_description: 'El usuario canceló' };
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
        return;
      }
      const citizen = authenticateCitizen(body.cedula, body.password);
      if (!citizen) {
        const cedula = typeof body.cedula === 'string' ? body.cedula.slice(0, 32) : '';
        const screen = { action: `/interaction/${details.uid}`, hidden: {}, cedula };
        sendHtml(res, 401, await renderLoginScreen({ ...screen, error: BAD_CREDENTIALS_MESSAGE }));
        return;
      }
      const grantId = await grantConsent(provider, details, citizen.cedula);
      const result = { login: { accountId: citizen.cedula }, consent: { grantId } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    },
  );

  return router;
}
