import express from 'express';
import { authenticateCitizen } from './accounts';
import type { CodeStore } from './mitic-codes';
import { singleString } from './options';
import { BAD_CREDENTIALS_MESSAGE, renderErrorPage, renderLoginScreen, sendHtml } from './views';

/** What the MITIC login screen needs. */
export interface MiticLoginDeps {
  clientId: string;
  redirectUri: string;
  codes: CodeStore;
}

/** The authorize parameters MITIC uses (camelCase, no redirect_uri: the callback is registered). */
interface MiticFlow {
  clientId: string;
  scope: string;
  responseType: string;
  state: string;
}

function readFlow(source: Record<string, unknown>): MiticFlow {
  return {
    clientId: singleString(source.clientId) ?? '',
    scope: singleString(source.scope) ?? '',
    responseType: singleString(source.responseType) ?? '',
    state: singleString(source.state) ?? '',
  };
}

/** Sends the browser to the registered callback, always echoing `state` when there was one. */
function redirectToClient(res: express.Response, redirectUri: string, params: object): void {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string' && value !== '') url.searchParams.set(key, value);
  }
  res.redirect(302, url.href);
}

/**
 * `GET/POST /login`: MITIC's authorize screen. A bad `clientId` or `responseType` gets an error
 * page and no redirect, as the callback of an unknown client cannot be trusted.
 */
export function miticLoginRoutes(deps: MiticLoginDeps): express.Router {
  const router = express.Router();

  const refuseBadFlow = async (flow: MiticFlow, res: express.Response): Promise<boolean> => {
    if (flow.clientId !== deps.clientId) {
      const message =
        'El sistema que te envió aquí no está registrado en Identidad Electrónica (clientId desconocido).';
      sendHtml(
        res,
        400,
        await renderErrorPage('Aplicación desconocida', message, 'invalid_client'),
      );
      return true;
    }
    if (flow.responseType !== 'code') {
      const message = 'La solicitud de autenticación no es válida (responseType debe ser «code»).';
      sendHtml(res, 400, await renderErrorPage('Solicitud inválida', message, 'invalid_request'));
      return true;
    }
    return false;
  };

  const hidden = (flow: MiticFlow): Record<string, string> => ({ ...flow });

  router.get('/login', async (req, res) => {
    const flow = readFlow(req.query);
    if (await refuseBadFlow(flow, res)) return;
    sendHtml(res, 200, await renderLoginScreen({ action: '/login', hidden: hidden(flow) }));
  });

  router.post('/login', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const flow = readFlow(body);
    if (await refuseBadFlow(flow, res)) return;

    if (body.action === 'cancel') {
      redirectToClient(res, deps.redirectUri, { error: 'access_denied', state: flow.state });
      return;
    }
    const citizen = authenticateCitizen(body.cedula, body.password);
    if (!citizen) {
      const cedula = singleString(body.cedula, 32) ?? '';
      const screen = { action: '/login', hidden: hidden(flow), error: BAD_CREDENTIALS_MESSAGE };
      sendHtml(res, 401, await renderLoginScreen({ ...screen, cedula }));
      return;
    }
    const code = deps.codes.issue(citizen.cedula, flow.clientId);
    redirectToClient(res, deps.redirectUri, { code, state: flow.state });
  });

  return router;
}
