import { randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * "Agenda": a stand-in HIS module for development, demos and tests — a relying party written
 * with openid-client against HIS Acceso's OpenID Provider, on its own origin. It opens signed in
 * (single sign-on from the HIS session), shows the person, the establishment (read from UserInfo
 * on every page, so it follows "Cambiar de establecimiento"), the roles and the `acr`; confirming
 * an appointment asks for the Identidad Electrónica (a step-up); and a back-channel logout from
 * the HIS ends its session. Its sessions live in memory: it is a demo, not a module.
 */
export interface AgendaOptions {
  /** The provider's issuer: `BASE_URL/oidc`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the Agenda itself is reached (its redirect URI is `${url}/callback`). */
  url: string;
  /** Plain http to the provider (development on localhost). */
  insecure?: boolean;
  /** Where the Agenda says what it received (the back-channel logouts); nowhere by default. */
  log?: (line: string) => void;
}

interface AgendaSession {
  sub?: string;
  /** The ID token's `sid`: the back-channel logout token names the sign-in it ends by it. */
  sid?: string;
  accessToken?: string;
  idToken?: string;
  acr?: string;
  amr?: string[];
  /** A pending authorization: its PKCE verifier, state, nonce and why it was started. */
  pending?: { verifier: string; state: string; nonce: string; stepUp: boolean };
  confirmed?: string;
}

const EID = 'urn:his:acr:eid';
const ACR_TEXT: Record<string, string> = {
  'urn:his:acr:password': 'contraseña del HIS',
  'urn:his:acr:eid-recent': 'contraseña del HIS (Identidad Electrónica usada en los últimos meses)',
  [EID]: 'Identidad Electrónica en esta sesión',
};

const escape = (text: unknown) =>
  String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) => `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Agenda</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5">
<header><strong>Agenda</strong> — módulo de demostración del HIS</header>
<main>${body}</main></body></html>`;

export async function createAgenda(options: AgendaOptions) {
  const execute = options.insecure ? [client.allowInsecureRequests] : [];
  const config = await client.discovery(
    new URL(options.issuer),
    options.clientId,
    options.clientSecret,
    undefined,
    { execute },
  );
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const sessions = new Map<string, AgendaSession>();
  const redirectUri = `${options.url}/callback`;

  const sessionOf = (req: Request, res: Response): AgendaSession => {
    const id = /(?:^|;\s*)agenda=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (id && sessions.has(id)) return sessions.get(id)!;
    const fresh = randomBytes(16).toString('base64url');
    sessions.set(fresh, {});
    res.cookie('agenda', fresh, { httpOnly: true, sameSite: 'lax', path: '/' });
    return sessions.get(fresh)!;
  };

  const startLogin = async (res: Response, session: AgendaSession, stepUp: boolean) => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    session.pending = { verifier, state, nonce, stepUp };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile his',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(stepUp ? { acr_values: EID } : {}),
    });
    res.redirect(303, url.href);
  };

  const app = express();
  app.disable('x-powered-by');
  app.get('/favicon.ico', (_req, res) => res.status(204).end());

  app.get('/', async (req, res) => {
    const session = sessionOf(req, res);
    if (!session.accessToken) return startLogin(res, session, false);
    let info: Record<string, unknown>;
    try {
      info = await client.fetchUserInfo(config, session.accessToken, session.sub!);
    } catch {
      // The token was revoked (the HIS session ended): sign in again.
      delete session.accessToken;
      return startLogin(res, session, false);
    }
    const place = info.his_establishment as { name?: string; code?: string; region?: string };
    const roles = (info.his_roles as string[] | undefined) ?? [];
    res.type('html').send(
      page(
        'Inicio',
        `<h1>Agenda de ${escape(place?.name)}</h1>
<dl data-testid="agenda-person">
  <dt>Persona</dt><dd data-testid="agenda-name">${escape(info.name)} (${escape(info.preferred_username)})</dd>
  <dt>Establecimiento</dt><dd data-testid="agenda-establishment">${escape(place?.name)} · ${escape(place?.code)} · Región ${escape(place?.region)}</dd>
  <dt>Roles</dt><dd>${escape(roles.join(', '))}</dd>
  <dt>Ingreso</dt><dd data-testid="agenda-acr">${escape(ACR_TEXT[session.acr ?? ''] ?? session.acr)} <code>${escape(session.acr)}</code></dd>
</dl>
${session.confirmed ? `<p role="status" data-testid="agenda-confirmed">${escape(session.confirmed)}</p>` : ''}
<p><a href="/confirmar">Confirmar el turno de las 08:00</a> (requiere la Identidad Electrónica)</p>
<p><a href="/salir">Salir</a> (cierra la sesión del HIS en este equipo)</p>`,
      ),
    );
  });

  // One action needs the e-ID: without it in this session, a step-up first.
  app.get('/confirmar', async (req, res) => {
    const session = sessionOf(req, res);
    if (!session.accessToken) return startLogin(res, session, false);
    if (session.acr !== EID) return startLogin(res, session, true);
    session.confirmed = 'Turno de las 08:00 confirmado con Identidad Electrónica.';
    res.redirect(303, '/');
  });

  // RP-initiated logout: the HIS asks the person, ends its session (and every module's), and
  // sends the browser back to /salio.
  app.get('/salir', (req, res) => {
    const session = sessionOf(req, res);
    const idToken = session.idToken;
    for (const key of Object.keys(session)) delete session[key as keyof AgendaSession];
    const url = client.buildEndSessionUrl(config, {
      ...(idToken ? { id_token_hint: idToken } : { client_id: options.clientId }),
      post_logout_redirect_uri: `${options.url}/salio`,
    });
    res.redirect(303, url.href);
  });

  app.get('/salio', (_req, res) => {
    res
      .type('html')
      .send(
        page(
          'Sesión cerrada',
          '<h1>Sesión cerrada</h1><p role="status" data-testid="agenda-signed-out">Cerró su sesión en la Agenda y en el HIS.</p><p><a href="/">Volver a ingresar</a></p>',
        ),
      );
  });

  app.get('/callback', async (req, res) => {
    const session = sessionOf(req, res);
    const pending = session.pending;
    delete session.pending;
    if (!pending) return res.redirect(303, '/');
    try {
      const tokens = await client.authorizationCodeGrant(
        config,
        new URL(req.originalUrl, options.url),
        {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
        },
      );
      const claims = tokens.claims()!;
      Object.assign(session, {
        sub: claims.sub,
        sid: typeof claims.sid === 'string' ? claims.sid : undefined,
        accessToken: tokens.access_token,
        idToken: tokens.id_token,
        acr: claims.acr,
        amr: claims.amr,
      });
      res.redirect(303, pending.stepUp && claims.acr === EID ? '/confirmar' : '/');
    } catch (err) {
      res
        .status(400)
        .type('html')
        .send(
          page(
            'No se pudo ingresar',
            `<h1>No se pudo ingresar</h1><p>${escape((err as Error).message)}</p><p><a href="/">Intentar de nuevo</a></p>`,
          ),
        );
    }
  });

  // Back-channel logout: a signed logout token from the provider ends this person's sessions.
  app.post(
    '/backchannel',
    express.urlencoded({ extended: false, limit: '16kb' }),
    async (req, res) => {
      try {
        const { payload } = await jwtVerify(String(req.body?.logout_token ?? ''), jwks, {
          issuer: options.issuer,
          audience: options.clientId,
        });
        const events = payload.events as Record<string, unknown> | undefined;
        if (!events?.['http://schemas.openid.net/event/backchannel-logout'] || payload.nonce)
          throw new Error('not a logout token');
        // The sign-in the token names (`sid`); every one of the person's without it.
        let ended = 0;
        for (const [id, s] of sessions)
          if (payload.sid ? s.sid === payload.sid : s.sub === payload.sub) {
            sessions.delete(id);
            ended++;
          }
        options.log?.(`back-channel logout: sub ${String(payload.sub)}, ${ended} session(s) ended`);
        res.status(200).end();
      } catch {
        res.status(400).end();
      }
    },
  );

  return app;
}
