import { randomBytes } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
} from 'jose';
import type { Configuration, ErrorOut, JWK, KoaContextWithOIDC, Provider } from 'oidc-provider';
import { citizenClaims, findCitizen } from './accounts';
import type { Misbehaviour } from './misbehaviour';
import { createMemoryAdapter } from './oidc-adapter';
import { modeAltersToken, signForMode, tamperClaims } from './tamper';
import { renderErrorPage, renderView } from './views';

/** What the OpenID Provider needs. */
export interface OidcDeps {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  misbehaviour: Misbehaviour;
}

/** Spanish wording for the errors a person can actually meet in the browser. */
const ERROR_MESSAGES: Record<string, string> = {
  invalid_request:
    'La solicitud de autenticación no es válida o ya expiró. Volvé a intentarlo desde el sistema.',
  invalid_client: 'El sistema que te envió aquí no está registrado en Identidad Electrónica.',
  invalid_redirect_uri: 'La dirección de retorno no está registrada para este sistema.',
  session_not_found: 'Tu sesión de autenticación expiró. Volvé a intentarlo desde el sistema.',
};

async function renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
  const message = ERROR_MESSAGES[out.error] ?? 'No se pudo completar la autenticación.';
  const detail = out.error_description ? `${out.error}: ${out.error_description}` : out.error;
  ctx.type = 'html';
  ctx.body = await renderErrorPage('No se pudo completar la solicitud', message, detail);
}

/** The provider's configuration: one confidential client, code flow with PKCE, real TTLs. */
function configuration(deps: OidcDeps, signingKey: JWK): Configuration {
  return {
    adapter: createMemoryAdapter(),
    clients: [
      {
        client_id: deps.clientId,
        client_secret: deps.clientSecret,
        redirect_uris: [deps.redirectUri],
        post_logout_redirect_uris: [deps.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        // Registering basic also accepts client_secret_post: oidc-provider pairs the two.
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    clientBasedCORS: () => false,
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'nombres', 'apellidos'],
      email: ['email'],
    },
    // Put the scope's claims in the ID Token too: the HIS reads the person from it.
    conformIdTokenClaims: false,
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      // No `secure`: the sandbox runs on plain http://localhost.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = await renderView('logout', { title: 'Cerrar sesión', form });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = await renderView('logged-out', { title: 'Sesión cerrada' });
        },
      },
    },
    findAccount: async (_ctx, sub) => {
      const citizen = findCitizen(sub);
      return citizen && { accountId: sub, claims: async () => citizenClaims(citizen) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    jwks: { keys: [signingKey] },
    pkce: { required: () => true },
    renderError,
    responseTypes: ['code'],
    scopes: ['openid', 'profile', 'email'],
    ttl: {
      AccessToken: 300,
      AuthorizationCode: 60,
      IdToken: 300,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
  };
}

/**
 * Re-signs the token endpoint's ID Token with the sandbox's real key after injecting the mode's
 * defect, so a client's test sees exactly the one check that should fail.
 */
function tamperTokenResponses(provider: Provider, misbehaviour: Misbehaviour, key: CryptoKey) {
  provider.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== '/token') return next();
    const gate = await misbehaviour.gateTokenEndpoint();
    if (gate) {
      ctx.set('Cache-Control', 'no-store');
      ctx.status = gate.status;
      ctx.body = gate.body;
      return;
    }
    const { mode } = misbehaviour.current();
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (
      ctx.status !== 200 ||
      !modeAltersToken(mode, 'oidc') ||
      typeof body?.id_token !== 'string'
    ) {
      return;
    }
    const header = { ...decodeProtectedHeader(body.id_token), alg: 'RS256' };
    const payload = tamperClaims(mode, decodeJwt(body.id_token), Math.floor(Date.now() / 1000));
    body.id_token = await signForMode(mode, header, payload, key);
  });
}

/**
 * Builds the OpenID Provider. oidc-provider is ESM-only with top-level await, so this
 * CommonJS project loads it with a dynamic import (kept as `import()` by `module: nodenext`).
 */
export async function createOidcProvider(deps: OidcDeps): Promise<Provider> {
  const { default: ProviderClass } = await import('oidc-provider');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const signingKey = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };

  const provider = new ProviderClass(deps.issuer, configuration(deps, signingKey as JWK));
  provider.proxy = false;
  tamperTokenResponses(provider, deps.misbehaviour, privateKey);
  return provider;
}
