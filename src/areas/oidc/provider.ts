import type { Request } from 'express';
import type { Configuration, JWK, KoaContextWithOIDC, Provider } from 'oidc-provider';
import { createHmac } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { Config } from '../../config';
import type { Logger } from '../../shared/logger';
import type { OidcClientRecord } from '../../storage/oidc-clients';
import { createOidcRedisAdapter } from '../../redis/oidc-adapter';
import type { RedisClientType } from 'redis';

/** The `acr` values of the HIS: how recently the person proved who they are with the e-ID. */
export const ACR = {
  password: 'urn:his:acr:password',
  eidRecent: 'urn:his:acr:eid-recent',
  eid: 'urn:his:acr:eid',
} as const;

/** The claims of scope `his` (a contract: never renamed). */
export const HIS_CLAIMS = ['his_document', 'his_establishment', 'his_roles'] as const;

/** Seconds each record lives. Codes are single-use and short; tokens as long as a shift's hour. */
export const OIDC_TTL = {
  AccessToken: 600,
  AuthorizationCode: 60,
  IdToken: 600,
  Interaction: 600,
  Session: 12 * 3600,
  Grant: 12 * 3600,
} as const;

export interface ProviderDeps {
  config: Config;
  logger: Logger;
  redis: RedisClientType;
  /** The registered modules (PostgreSQL), read on each request: a disabled one stops at once. */
  findClient(clientId: string): Promise<OidcClientRecord | null>;
  /** The person behind `sub` for the token (null: unknown, disabled, or their HIS session ended). */
  findAccount(
    sub: string,
    grantId: string | undefined,
  ): Promise<{ claims(): Record<string, unknown> } | null>;
}

/** Spanish pages for what a person can meet in the browser at the provider. */
const ERROR_MESSAGES: Record<string, string> = {
  invalid_request: 'La solicitud del módulo no es válida o ya venció. Vuelva a abrir el módulo.',
  invalid_client: 'El módulo que lo envió aquí no está registrado o está deshabilitado.',
  invalid_redirect_uri: 'La dirección de retorno no está registrada para este módulo.',
  session_not_found: 'La solicitud venció. Vuelva a abrir el módulo.',
};

/**
 * One of the app's views as HTML, for a page the provider answers itself: the same layout,
 * stylesheet and escaping as every other page. The provider runs inside the Express app
 * (src/app.ts mounts it), so its request is Express's and knows the app's views.
 */
const renderView = (ctx: KoaContextWithOIDC, view: string, locals: Record<string, unknown>) =>
  new Promise<string>((resolve, reject) =>
    (ctx.req as unknown as Request).app.render(view, locals, (err, html) =>
      err ? reject(err) : resolve(html),
    ),
  );

/** A new ES256 private signing key as a JWK (`kid`: its thumbprint), for a JWKS of the provider. */
export async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: 'ES256', use: 'sig', kid: await calculateJwkThumbprint(jwk) } as JWK;
}

/** The provider's signing keys: the configured JWKS, or (outside production) a throwaway one. */
async function signingKeys(deps: ProviderDeps): Promise<{ keys: JWK[] } | null> {
  if (deps.config.oidcProvider.jwks) return deps.config.oidcProvider.jwks as { keys: JWK[] };
  if (deps.config.env === 'production') return null;
  deps.logger.warn(
    'OIDC_PROVIDER_JWKS unset: the OpenID Provider signs with a throwaway key (development only; tokens do not survive a restart or another instance)',
  );
  return { keys: [await newSigningKey()] };
}

/** A registered module as oidc-provider's client metadata. */
function clientMetadata(c: OidcClientRecord): Record<string, unknown> {
  return {
    client_id: c.clientId,
    client_secret: c.clientSecret,
    client_name: c.name,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    ...(c.backchannelLogoutUri
      ? {
          backchannel_logout_uri: c.backchannelLogoutUri,
          // The ID token and the logout token carry the sign-in's `sid`: the module ends the
          // session the token names, not every session of the person.
          backchannel_logout_session_required: true,
        }
      : {}),
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'ES256',
  };
}

/** The provider's cookies (its session, the login step's interaction and its resume). */
export const OP_COOKIE_NAMES = {
  session: 'his.op.session',
  interaction: 'his.op.interaction',
  resume: 'his.op.resume',
} as const;

function configuration(deps: ProviderDeps, jwks: { keys: JWK[] }): Configuration {
  const redisAdapter = createOidcRedisAdapter(deps.redis, deps.config.redis.keyPrefix);
  // The cookies' keys derive from SESSION_SECRET: every instance signs and reads the same.
  const cookieKey = createHmac('sha256', deps.config.session.secret)
    .update('oidc-provider cookies')
    .digest('base64url');
  return {
    adapter: (model: string) => {
      if (model !== 'Client') return redisAdapter(model);
      // Clients come from PostgreSQL on each request: a module disabled there stops at once.
      return {
        async find(id: string) {
          const client = await deps.findClient(id);
          return client?.enabled ? clientMetadata(client) : undefined;
        },
        upsert: async () => {},
        findByUid: async () => undefined,
        findByUserCode: async () => undefined,
        consume: async () => {},
        destroy: async () => {},
        revokeByGrantId: async () => {},
      } as never;
    },
    acrValues: [ACR.password, ACR.eidRecent, ACR.eid],
    claims: {
      // How and when the person proved who they are: in every ID Token.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'preferred_username'],
      his: [...HIS_CLAIMS],
    },
    // The scope's claims in the ID Token too: a module reads the person and place from it.
    conformIdTokenClaims: false,
    clientBasedCORS: () => false,
    cookies: {
      // Names of our own: oidc-provider's defaults (`_session`…) are the e-ID provider's too when
      // it is oidc-provider as well, and cookies do not tell ports apart — on one host (the
      // sandbox beside the app in development) ours would overwrite its session cookie, and its
      // logout would then find no session to end.
      names: OP_COOKIE_NAMES,
      keys: [cookieKey],
      long: { httpOnly: true, sameSite: 'lax', secure: deps.config.session.cookieSecure },
      short: { httpOnly: true, sameSite: 'lax', secure: deps.config.session.cookieSecure },
    },
    // The login's silent mark (src/areas/oidc/index.ts): the request asked prompt=none.
    extraParams: ['his_silent'],
    // The provider's only outgoing requests are the back-channel logouts, to the URIs a global
    // administrator registered: modules on the hospital's LAN or on this host. oidc-provider's
    // SSRF guard (for URIs that clients register themselves) refuses those private and
    // loopback addresses, so it is left out; redirects are refused instead of followed.
    fetch: (url, options) => {
      const init: RequestInit & { dispatcher?: unknown } = { ...options, redirect: 'error' };
      delete init.dispatcher;
      return fetch(url, init);
    },
    features: {
      devInteractions: { enabled: false },
      // A module revokes and introspects only its own tokens.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Never reached: GET and POST /oidc/session/end are answered by the HIS's own
        // confirmation (src/areas/oidc/index.ts), which ends the HIS session too. Should the
        // provider's own ever run, nothing ends without that confirmation: home it is.
        logoutSource: async (ctx) => {
          ctx.redirect('/');
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = await renderView(ctx, 'oidc-logged-out', { title: 'Sesión cerrada' });
        },
      },
    },
    findAccount: async (ctx: KoaContextWithOIDC, sub: string, token?: { grantId?: string }) => {
      const grantId = token?.grantId ?? ctx.oidc?.entities?.Grant?.jti;
      const account = await deps.findAccount(sub, grantId);
      return account
        ? { accountId: sub, claims: async () => ({ ...account.claims(), sub }) }
        : undefined;
    },
    // Every authorization goes through the login step (src/areas/oidc/index.ts), which asks the
    // HIS session: only the grant that step just made counts, never one the provider's own
    // session remembers from before.
    loadExistingGrant: async (ctx) => {
      const grantId = (ctx.oidc.result as { consent?: { grantId?: string } } | undefined)?.consent
        ?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/login/oidc/${interaction.uid}` },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    jwks,
    pkce: { required: () => true },
    renderError: async (ctx, out) => {
      const message = ERROR_MESSAGES[out.error] ?? 'No se pudo completar el ingreso al módulo.';
      ctx.type = 'html';
      ctx.body = await renderView(ctx, 'error', {
        title: 'No se pudo ingresar al módulo',
        heading: 'No se pudo ingresar al módulo',
        status: ctx.status,
        message,
        // The protocol's error code: what the module's people need to look into it.
        supportId: String(out.error),
        back: { href: '/', label: 'Volver al inicio del HIS' },
      });
    },
    responseTypes: ['code'],
    scopes: ['openid', 'profile', 'his', 'offline_access'],
    ttl: { ...OIDC_TTL, RefreshToken: 7 * 86_400 },
  };
}

/**
 * Builds HIS Acceso's OpenID Provider (oidc-provider, certified; ESM-only, so loaded with a
 * dynamic import), or null when no signing key is configured in production.
 */
export async function createProvider(deps: ProviderDeps): Promise<Provider | null> {
  const jwks = await signingKeys(deps);
  if (!jwks) {
    deps.logger.warn('OIDC_PROVIDER_JWKS unset: the OpenID Provider for HIS modules is off');
    return null;
  }
  const { default: ProviderClass } = await import('oidc-provider');
  const provider = new ProviderClass(`${deps.config.baseUrl}/oidc`, configuration(deps, jwks));
  // Behind nginx: the issuer's scheme and host come from the trusted proxy's headers.
  provider.on('server_error', (_ctx: unknown, err: unknown) => {
    deps.logger.error({ err }, 'OpenID Provider error');
  });
  provider.proxy = Array.isArray(deps.config.trustProxy) && deps.config.trustProxy.length > 0;
  return provider;
}
