import * as client from 'openid-client';
import type { Config } from '../config';
import { lenientCedula } from '../shared/cedula';
import {
  EidError,
  networkFailure,
  type EidFlow,
  type EidIdentity,
  type EidProvider,
  type EidReason,
} from './provider';

/** The only signing algorithm accepted for ID Tokens. */
const ID_TOKEN_ALG = 'RS256';

/** Which check failed, read from openid-client's error (the detail sits in its cause). */
const DETAIL_REASONS: [RegExp, EidReason][] = [
  [/signature verification failed/i, 'eid_bad_signature'],
  [/"alg"/, 'eid_bad_algorithm'],
  [/"iss"/, 'eid_wrong_issuer'],
  [/"aud"|"azp"/, 'eid_wrong_audience'],
  [/"nonce"/, 'eid_nonce_mismatch'],
  [/"state"/, 'eid_state_mismatch'],
  [/"auth_time"/, 'eid_auth_too_old'],
  [/"exp"|"iat"|"nbf"/, 'eid_token_expired'],
];

/** Maps openid-client / oauth4webapi errors to our reason codes. */
function oidcFailure(err: unknown): EidError {
  if (err instanceof EidError) return err;
  const network = networkFailure(err) ?? networkFailure((err as { cause?: unknown })?.cause);
  if (network) return network;
  const e = err as {
    code?: string;
    message?: string;
    error?: string;
    cause?: { message?: string };
  };
  if (e.code === 'OAUTH_TIMEOUT') return new EidError('eid_timeout', { cause: err });
  if (e.code === 'OAUTH_AUTHORIZATION_RESPONSE_ERROR') {
    return new EidError(e.error === 'access_denied' ? 'eid_cancelled' : 'eid_provider_error', {
      cause: err,
    });
  }
  const detail = `${e.message ?? ''} ${e.cause?.message ?? ''}`;
  const match = DETAIL_REASONS.find(([pattern]) => pattern.test(detail));
  if (match) return new EidError(match[1], { cause: err });
  if (e.code === 'OAUTH_INVALID_RESPONSE' || e.code?.startsWith('OAUTH_JWT')) {
    return new EidError('eid_invalid_token', { cause: err });
  }
  return new EidError('eid_provider_error', { cause: err });
}

/**
 * Standard OpenID Connect through openid-client (the only file that imports it): discovery,
 * code flow with PKCE S256, state and nonce, a pinned ID Token algorithm with its signature
 * checked, `iss` in the response checked, `max_age` when re-authentication is forced.
 */
export function createOidcProvider(eid: Config['eid'], production: boolean): EidProvider {
  let discovered: Promise<client.Configuration> | undefined;
  /** The issuer's, then also the discovered endpoints' (they may live on other hosts). */
  let origins = [new URL(eid.issuer).origin];

  /**
   * Discovery once; a failure is not cached, so the next attempt retries. openid-client checks
   * token times against the system clock (the injected clock stamps what we store).
   */
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(
        new URL(eid.issuer),
        eid.clientId,
        { id_token_signed_response_alg: ID_TOKEN_ALG, redirect_uris: [eid.redirectUri] },
        client.ClientSecretBasic(eid.clientSecret),
        {
          timeout: eid.timeoutInSeconds,
          execute: [
            client.enableNonRepudiationChecks,
            // Plain-HTTP providers (the local sandbox) are allowed only outside production.
            ...(production ? [] : [client.allowInsecureRequests]),
          ],
        },
      )
      .then((config) => {
        const meta = config.serverMetadata();
        const endpoints = [meta.authorization_endpoint, meta.end_session_endpoint];
        origins = [
          ...new Set([...origins, ...endpoints.flatMap((u) => (u ? [new URL(u).origin] : []))]),
        ];
        return config;
      })
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  return {
    protocol: 'oidc',

    async start({ forceReauth, now }) {
      const config = await configuration().catch((err: unknown) => {
        throw oidcFailure(err);
      });
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const parameters: Record<string, string> = {
        redirect_uri: eid.redirectUri,
        scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      };
      if (forceReauth) {
        parameters.max_age = '0';
        parameters.prompt = 'login';
      }
      const url = client.buildAuthorizationUrl(config, parameters);
      return {
        url: url.toString(),
        flow: {
          protocol: 'oidc',
          state,
          nonce,
          codeVerifier,
          forceReauth,
          createdAt: now.getTime(),
        },
      };
    },

    async finish(callbackUrl: URL, flow: EidFlow): Promise<EidIdentity> {
      try {
        const config = await configuration();
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: String(flow.codeVerifier),
          expectedState: String(flow.state),
          expectedNonce: String(flow.nonce),
          idTokenExpected: true,
          ...(flow.forceReauth ? { maxAge: Math.max(60, eid.flowTtlInMinutes * 60) } : {}),
        });
        const claims = tokens.claims();
        if (!claims) throw new EidError('eid_invalid_token');
        const documentNumber = lenientCedula(String(claims[eid.documentClaim] ?? ''));
        if (!documentNumber) throw new EidError('eid_missing_document');
        const names = [claims.nombres ?? claims.given_name, claims.apellidos ?? claims.family_name]
          .filter((v) => typeof v === 'string')
          .join(' ');
        return {
          issuer: claims.iss,
          subject: claims.sub,
          documentNumber,
          fullName: names || String(claims.name ?? ''),
        };
      } catch (err) {
        throw oidcFailure(err);
      }
    },

    navigationOrigins: () => origins,

    async endSessionUrl(postLogoutRedirectUri) {
      try {
        const config = await configuration();
        if (!config.serverMetadata().end_session_endpoint) return null;
        return client
          .buildEndSessionUrl(config, {
            client_id: eid.clientId,
            post_logout_redirect_uri: postLogoutRedirectUri,
          })
          .toString();
      } catch {
        return null;
      }
    },

    // Discovery served (2xx) is "up"; a 5xx, a 404, a timeout or a network error is a failure.
    async probe() {
      try {
        const res = await fetch(
          new URL('.well-known/openid-configuration', eid.issuer.replace(/\/?$/, '/')),
          {
            signal: AbortSignal.timeout(eid.timeoutInSeconds * 1000),
          },
        );
        // The body is not needed: release the connection instead of leaving it to the GC.
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    },
  };
}
