import { createHash, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { citizenClaims, findCitizen } from './accounts';
import type { CodeStore } from './mitic-codes';
import type { Misbehaviour } from './misbehaviour';
import { singleString } from './options';
import { modeAltersToken, signForMode, tamperClaims } from './tamper';

/** MITIC tokens live five minutes. */
const TOKEN_TTL_IN_SECONDS = 300;

/** What MITIC's token exchange needs. */
export interface MiticTokenDeps {
  clientId: string;
  clientSecret: string;
  miticIssuer: string;
  codes: CodeStore;
  misbehaviour: Misbehaviour;
  now: () => number;
}

const sameSecret = (given: string | undefined, expected: string) =>
  given !== undefined &&
  timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(expected).digest(),
  );

/**
 * `POST /rest/authentication?client_id=&client_secret=&grant_type=authorization_code&code=`:
 * everything in the query string and a bare JWT (HS256, keyed with the client secret) as the
 * body, as MITIC does. Errors are JSON with an OAuth-style `error` code.
 */
export function miticTokenRoute(deps: MiticTokenDeps): express.Router {
  const router = express.Router();
  const key = new TextEncoder().encode(deps.clientSecret);

  router.post('/rest/authentication', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const clientId = singleString(req.query.client_id);
    if (
      clientId !== deps.clientId ||
      !sameSecret(singleString(req.query.client_secret), deps.clientSecret)
    ) {
      res
        .status(401)
        .json({ error: 'invalid_client', error_description: 'Cliente o secreto incorrectos.' });
      return;
    }
    if (req.query.grant_type !== 'authorization_code') {
      res
        .status(400)
        .json({ error: 'unsupported_grant_type', error_description: 'Solo authorization_code.' });
      return;
    }
    // Before the code is spent: after a simulated outage the same code can still be exchanged.
    const gate = await deps.misbehaviour.gateTokenEndpoint();
    if (gate) {
      res.status(gate.status).json(gate.body);
      return;
    }
    const code = singleString(req.query.code);
    const cedula = code === undefined ? null : deps.codes.redeem(code, clientId);
    const citizen = cedula === null ? undefined : findCitizen(cedula);
    if (!citizen) {
      const description = 'Código inexistente, ya usado o vencido.';
      res.status(400).json({ error: 'invalid_grant', error_description: description });
      return;
    }

    const nowInSeconds = Math.floor(deps.now() / 1000);
    const { sub, nombres, apellidos, email } = citizenClaims(citizen);
    const claims = {
      sub,
      nombres,
      apellidos,
      email,
      iss: deps.miticIssuer,
      aud: clientId,
      iat: nowInSeconds,
      exp: nowInSeconds + TOKEN_TTL_IN_SECONDS,
    };
    const { mode } = deps.misbehaviour.current();
    const effective = modeAltersToken(mode, 'mitic') ? mode : 'normal';
    const payload = tamperClaims(effective, claims, nowInSeconds);
    const jwt = await signForMode(effective, { alg: 'HS256', typ: 'JWT' }, payload, key);
    res.type('text/plain').send(jwt);
  });

  return router;
}
