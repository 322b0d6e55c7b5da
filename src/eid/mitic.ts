import { randomBytes, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Config } from '../config';
import { lenientCedula } from '../shared/cedula';
import {
  EidError,
  networkFailure,
  type EidFlow,
  type EidIdentity,
  type EidProvider,
} from './provider';

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Maps jose's verification errors to our reason codes. */
function verificationFailure(err: unknown): EidError {
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return new EidError('eid_bad_signature', { cause: err });
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) {
    return new EidError('eid_bad_algorithm', { cause: err });
  }
  if (err instanceof joseErrors.JWTExpired)
    return new EidError('eid_token_expired', { cause: err });
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return new EidError('eid_wrong_issuer', { cause: err });
    if (err.claim === 'aud') return new EidError('eid_wrong_audience', { cause: err });
  }
  return new EidError('eid_invalid_token', { cause: err });
}

/**
 * MITIC's Identidad Electrónica as it is today: OAuth2-like, not OpenID Connect. The authorize
 * URL carries clientId/scope/responseType/state (the callback is registered at MITIC); the token
 * call sends the client secret in the query string (so its URL is never logged) and answers a
 * bare JWT signed HS256 with that secret.
 */
export function createMiticProvider(eid: Config['eid']): EidProvider {
  const key = new TextEncoder().encode(eid.clientSecret);

  return {
    protocol: 'mitic',

    async start({ now }) {
      const state = randomBytes(32).toString('base64url');
      const url = new URL(eid.authorizeUrl);
      url.search = new URLSearchParams({
        clientId: eid.clientId,
        scope: 'read',
        responseType: 'code',
        state,
      }).toString();
      return { url: url.toString(), flow: { protocol: 'mitic', state, createdAt: now.getTime() } };
    },

    async finish(callbackUrl: URL, flow: EidFlow, now: Date): Promise<EidIdentity> {
      const params = callbackUrl.searchParams;
      const state = params.get('state') ?? '';
      if (typeof flow.state !== 'string' || !sameSecret(state, flow.state))
        throw new EidError('eid_state_mismatch');
      const error = params.get('error');
      if (error)
        throw new EidError(error === 'access_denied' ? 'eid_cancelled' : 'eid_provider_error');
      const code = params.get('code');
      if (!code) throw new EidError('eid_missing_code');

      const tokenUrl = new URL(eid.tokenUrl);
      tokenUrl.search = new URLSearchParams({
        client_id: eid.clientId,
        client_secret: eid.clientSecret,
        grant_type: 'authorization_code',
        code,
      }).toString();
      let body: string;
      try {
        const res = await fetch(tokenUrl, {
          method: 'POST',
          signal: AbortSignal.timeout(eid.timeoutInSeconds * 1000),
          redirect: 'error',
        });
        body = (await res.text()).trim();
        if (!res.ok) throw new EidError('eid_provider_error');
      } catch (err) {
        if (err instanceof EidError) throw err;
        throw networkFailure(err) ?? new EidError('eid_provider_error', { cause: err });
      }

      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(body, key, {
          algorithms: ['HS256'],
          issuer: eid.issuer,
          audience: eid.audience,
          currentDate: now,
          requiredClaims: ['exp'],
        }));
      } catch (err) {
        throw verificationFailure(err);
      }
      const documentNumber = lenientCedula(String(payload[eid.documentClaim] ?? ''));
      if (!documentNumber) throw new EidError('eid_missing_document');
      const fullName = [payload.nombres, payload.apellidos]
        .filter((v) => typeof v === 'string')
        .join(' ');
      return {
        issuer: eid.issuer,
        subject: String(payload.sub ?? documentNumber),
        documentNumber,
        fullName,
      };
    },

    // The authorize URL; MITIC has no logout endpoint.
    navigationOrigins: () => [new URL(eid.authorizeUrl).origin],

    async endSessionUrl() {
      return null; // MITIC offers no logout endpoint.
    },

    // The login page answering at all is "up"; a 5xx (a gateway before a dead backend, a
    // provider in maintenance), a timeout or a network error is a failed probe.
    async probe() {
      try {
        const res = await fetch(eid.authorizeUrl, {
          method: 'HEAD',
          signal: AbortSignal.timeout(eid.timeoutInSeconds * 1000),
          redirect: 'manual',
        });
        return res.status < 500;
      } catch {
        return false;
      }
    },
  };
}
