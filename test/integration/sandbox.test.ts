import { createHash, randomBytes } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { CITIZENS, SANDBOX_PASSWORD } from '../../src/sandbox/citizens';
import { loginAtProvider, ProviderSession } from '../support/provider-login';
import {
  spawnSandboxMain,
  startSandboxProcess,
  type SandboxProcess,
} from '../support/sandbox-process';

const CLIENT_ID = 'his-acceso-test';
const CLIENT_SECRET = 'sandbox-test-secret-0123456789abcdef';
const REDIRECT_URI = 'http://localhost:3999/auth/eid/callback';
const MITIC_ISSUER = 'sandbox-mitic-test';
const POST_LOGOUT_REDIRECT_URI = 'http://localhost:3999/login';
const CITIZEN = CITIZENS[0]!;
const GOOD_LOGIN = { cedula: CITIZEN.cedula, password: SANDBOX_PASSWORD };

let sandbox: SandboxProcess;

beforeAll(async () => {
  sandbox = await startSandboxProcess({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    miticIssuer: MITIC_ISSUER,
    postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
  });
});

afterAll(async () => {
  await sandbox?.stop();
});

afterEach(async () => {
  await sandbox.setMode('normal');
});

const newState = () => randomBytes(8).toString('hex');

/** A verifier that fails on one claim or the signature: what a careful client does. */
type Verify = (jwt: string) => Promise<JWTPayload>;

/** Defects both protocols must show, each checked the way a client would notice it. */
const TOKEN_DEFECTS: Array<[string, (jwt: string, verify: Verify) => Promise<void>]> = [
  [
    'bad_signature',
    async (jwt, verify) => {
      await expect(verify(jwt)).rejects.toMatchObject({
        code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      });
      expect(decodeJwt(jwt).sub).toBe(CITIZEN.cedula);
    },
  ],
  [
    'alg_none',
    async (jwt, verify) => {
      expect(decodeProtectedHeader(jwt).alg).toBe('none');
      expect(jwt.endsWith('.')).toBe(true);
      await expect(verify(jwt)).rejects.toThrow();
    },
  ],
  [
    'wrong_iss',
    async (jwt, verify) => {
      await expect(verify(jwt)).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'iss',
      });
    },
  ],
  [
    'wrong_aud',
    async (jwt, verify) => {
      await expect(verify(jwt)).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'aud',
      });
    },
  ],
  [
    'expired',
    async (jwt, verify) => {
      await expect(verify(jwt)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    },
  ],
];

describe('e-ID sandbox, MITIC protocol', () => {
  const authorizeUrl = (state: string, clientId = CLIENT_ID) =>
    `${sandbox.url}/login?clientId=${clientId}&scope=read&responseType=code&state=${state}`;

  const exchange = (code: string, secret = CLIENT_SECRET) => {
    const query = new URLSearchParams({
      client_id: CLIENT_ID,
      client_secret: secret,
      grant_type: 'authorization_code',
      code,
    });
    return fetch(`${sandbox.url}/rest/authentication?${query}`, { method: 'POST' });
  };

  const loginForCode = async (login: { cedula: string; password: string } = GOOD_LOGIN) => {
    const state = newState();
    const callback = new URL(await loginAtProvider(authorizeUrl(state), login));
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(state);
    return callback.searchParams.get('code')!;
  };

  const verify: Verify = async (jwt) =>
    (
      await jwtVerify(jwt, new TextEncoder().encode(CLIENT_SECRET), {
        algorithms: ['HS256'],
        issuer: MITIC_ISSUER,
        audience: CLIENT_ID,
      })
    ).payload;

  test('when a citizen logs in and the code is exchanged then the body is a bare HS256 JWT with their claims', async () => {
    const code = await loginForCode();

    const response = await exchange(code);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const payload = await verify(await response.text());
    expect(payload).toMatchObject({
      sub: CITIZEN.cedula,
      nombres: CITIZEN.nombres,
      apellidos: CITIZEN.apellidos,
      email: CITIZEN.email,
    });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  test('when the cédula is typed with dots then the token carries it as digits only', async () => {
    const code = await loginForCode({ cedula: '1.234.567', password: SANDBOX_PASSWORD });

    const payload = await verify(await (await exchange(code)).text());

    expect(payload.sub).toBe('1234567');
  });

  test('when a code is exchanged twice then the second exchange is refused with 400', async () => {
    const code = await loginForCode();
    expect((await exchange(code)).status).toBe(200);

    const second = await exchange(code);

    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ error: 'invalid_grant' });
  });

  test('when the code is unknown then the exchange answers 400 with a JSON error', async () => {
    const response = await exchange('no-such-code');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  test('when the client secret is wrong then the exchange answers 401', async () => {
    const code = await loginForCode();

    const response = await exchange(code, 'wrong-secret-wrong-secret');

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  test('when the citizen cancels then the callback gets error=access_denied and the state', async () => {
    const state = newState();

    const callback = new URL(await loginAtProvider(authorizeUrl(state), { cancel: true }));

    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.has('code')).toBe(false);
  });

  test('when the password is wrong then the screen comes back with the error message', async () => {
    const form = new URLSearchParams({
      clientId: CLIENT_ID,
      scope: 'read',
      responseType: 'code',
      state: 'abc',
      cedula: CITIZEN.cedula,
      password: 'incorrecta',
      action: 'login',
    });

    const response = await fetch(`${sandbox.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
    const html = await response.text();
    expect(html).toContain('Número de cédula o contraseña incorrectos');
    expect(html).toContain('SIMULADOR');
  });

  test('when the login screen is shown then it has the seed texts, fields and the simulator banner', async () => {
    const response = await fetch(authorizeUrl('s1'));

    expect(response.status).toBe(200);
    const html = await response.text();
    for (const text of [
      'SIMULADOR</strong> — no es el servicio oficial',
      'Identidad Electrónica',
      'Auténticate con Identidad Electrónica',
      'Número de cédula',
      'Contraseña',
      'Iniciar sesión',
      'Cancelar',
      'Crear cuenta',
      '¿Has olvidado tu clave?',
      'Desarrollado y Alojado por',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('lang="es"');
    expect(html).not.toMatch(/<script/i);
  });

  test('when the clientId is unknown then a Spanish error page answers 400 and nothing redirects', async () => {
    const response = await fetch(authorizeUrl('s2', 'desconocido'), { redirect: 'manual' });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Aplicación desconocida');
  });

  test.each(TOKEN_DEFECTS)(
    'when the mode is %s then the token shows that defect',
    async (mode, check) => {
      const code = await loginForCode();
      await sandbox.setMode(mode);

      const response = await exchange(code);

      expect(response.status).toBe(200);
      await check(await response.text(), verify);
    },
  );

  test.each(['wrong_nonce', 'missing_nonce'])(
    'when the mode is %s then MITIC tokens (which have no nonce) stay valid',
    async (mode) => {
      const code = await loginForCode();
      await sandbox.setMode(mode);

      const payload = await verify(await (await exchange(code)).text());

      expect(payload.sub).toBe(CITIZEN.cedula);
    },
  );

  test('when the mode is http_500 then the exchange fails with 500 and the code survives it', async () => {
    const code = await loginForCode();
    await sandbox.setMode('http_500');

    expect((await exchange(code)).status).toBe(500);
    await sandbox.setMode('normal');

    expect((await exchange(code)).status).toBe(200);
  });

  test('when the mode is slow then the mode round-trips and the token still comes', async () => {
    const code = await loginForCode();
    await sandbox.setMode('slow', 300);

    const mode = await (await fetch(`${sandbox.url}/__sandbox/mode`)).json();
    const response = await exchange(code);

    expect(mode).toEqual({ mode: 'slow', delayMs: 300 });
    expect(response.status).toBe(200);
    expect((await verify(await response.text())).sub).toBe(CITIZEN.cedula);
  });

  test('when an unknown mode is posted then it is refused with 400', async () => {
    const response = await fetch(`${sandbox.url}/__sandbox/mode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'chaos' }),
    });

    expect(response.status).toBe(400);
  });
});

describe('e-ID sandbox, OpenID Connect protocol', () => {
  const issuer = () => `${sandbox.url}/oidc`;
  const verify: Verify = async (jwt) =>
    (
      await jwtVerify(jwt, createRemoteJWKSet(new URL(`${issuer()}/jwks`)), {
        algorithms: ['RS256'],
        issuer: issuer(),
        audience: CLIENT_ID,
      })
    ).payload;

  /** Fresh authorize parameters for a code + PKCE flow, with what the token request needs. */
  const authorizeParams = (extra: Record<string, string> = {}) => {
    const verifier = randomBytes(32).toString('base64url');
    const nonce = randomBytes(12).toString('base64url');
    const state = newState();
    const params = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid profile email',
      redirect_uri: REDIRECT_URI,
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { params, verifier, nonce, state };
  };

  /** Runs the browser part of a code + PKCE flow. */
  const authorize = async (
    how: Parameters<typeof loginAtProvider>[1] = GOOD_LOGIN,
    extra: Record<string, string> = {},
  ) => {
    const { params, ...flow } = authorizeParams(extra);
    const callback = new URL(await loginAtProvider(`${issuer()}/auth?${params}`, how));
    return { ...flow, callback, code: callback.searchParams.get('code') ?? '' };
  };

  const tokenRequest = (code: string, verifier: string, auth: 'basic' | 'post' = 'basic') => {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (auth === 'basic') {
      const credentials = `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    } else {
      body.set('client_id', CLIENT_ID);
      body.set('client_secret', CLIENT_SECRET);
    }
    return fetch(`${issuer()}/token`, { method: 'POST', headers, body: body.toString() });
  };

  const idTokenFor = async (flow: { code: string; verifier: string }) => {
    const response = await tokenRequest(flow.code, flow.verifier);
    expect(response.status).toBe(200);
    return ((await response.json()) as { id_token: string }).id_token;
  };

  test('when discovery is fetched then it offers code, S256 and an end-session endpoint', async () => {
    const response = await fetch(`${issuer()}/.well-known/openid-configuration`);

    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(issuer());
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.end_session_endpoint).toBe(`${issuer()}/session/end`);
  });

  test('when a citizen completes code + PKCE then the ID Token verifies against the JWKS with sub = cédula and the nonce', async () => {
    const flow = await authorize();
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);

    const payload = await verify(await idTokenFor(flow));

    expect(payload).toMatchObject({
      sub: CITIZEN.cedula,
      nonce: flow.nonce,
      nombres: CITIZEN.nombres,
      apellidos: CITIZEN.apellidos,
      given_name: CITIZEN.nombres,
      family_name: CITIZEN.apellidos,
      email: CITIZEN.email,
    });
  });

  test('when the client authenticates with client_secret_post then the token request succeeds too', async () => {
    const flow = await authorize();

    const response = await tokenRequest(flow.code, flow.verifier, 'post');

    expect(response.status).toBe(200);
  });

  test('when max_age is sent then the ID Token carries auth_time', async () => {
    const flow = await authorize(GOOD_LOGIN, { max_age: '0' });

    const payload = await verify(await idTokenFor(flow));

    expect(typeof payload.auth_time).toBe('number');
  });

  test('when the request has no PKCE challenge then the client gets invalid_request', async () => {
    const params = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT_URI,
      state: 'sin-pkce',
    });

    const callback = new URL(await loginAtProvider(`${issuer()}/auth?${params}`, GOOD_LOGIN));

    expect(callback.searchParams.get('error')).toBe('invalid_request');
  });

  test('when the citizen cancels then the client gets error=access_denied and the state', async () => {
    const flow = await authorize({ cancel: true });

    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
  });

  test('when a logged-in citizen is sent to end-session then a Spanish confirmation logs them out and returns to the client', async () => {
    const session = new ProviderSession();
    await loginAtProvider(`${issuer()}/auth?${authorizeParams().params}`, GOOD_LOGIN, session);
    const endSession = new URLSearchParams({
      client_id: CLIENT_ID,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state: 'adios',
    });

    const page = await session.fetch(`${issuer()}/session/end?${endSession}`);
    const html = await page.text();
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    const confirm = await session.fetch(action!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }).toString(),
    });

    expect(page.status).toBe(200);
    expect(html).toContain('Sí, cerrar sesión');
    expect(html).toContain('SIMULADOR');
    expect(confirm.status).toBe(303);
    expect(confirm.headers.get('location')).toBe(`${POST_LOGOUT_REDIRECT_URI}?state=adios`);
  });

  test('when end-session is reached without a provider session then its auto-submit script is allowed by the CSP', async () => {
    const response = await fetch(`${issuer()}/session/end?client_id=${CLIENT_ID}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
  });

  test.each(TOKEN_DEFECTS)(
    'when the mode is %s then the ID Token shows that defect',
    async (mode, check) => {
      const flow = await authorize();
      await sandbox.setMode(mode);

      await check(await idTokenFor(flow), verify);
    },
  );

  test('when the mode is wrong_nonce then the ID Token is validly signed but carries another nonce', async () => {
    const flow = await authorize();
    await sandbox.setMode('wrong_nonce');

    const payload = await verify(await idTokenFor(flow));

    expect(payload.nonce).toEqual(expect.any(String));
    expect(payload.nonce).not.toBe(flow.nonce);
  });

  test('when the mode is missing_nonce then the ID Token is validly signed without a nonce', async () => {
    const flow = await authorize();
    await sandbox.setMode('missing_nonce');

    const payload = await verify(await idTokenFor(flow));

    expect(payload).not.toHaveProperty('nonce');
  });

  test('when the mode is http_500 then the token endpoint answers 500', async () => {
    const flow = await authorize();
    await sandbox.setMode('http_500');

    const response = await tokenRequest(flow.code, flow.verifier);

    expect(response.status).toBe(500);
  });

  test('when the mode is slow then the token response still comes', async () => {
    const flow = await authorize();
    await sandbox.setMode('slow', 300);

    const payload = await verify(await idTokenFor(flow));

    expect(payload.sub).toBe(CITIZEN.cedula);
  });
});

describe('e-ID sandbox start-up', () => {
  test('when NODE_ENV is production then it refuses to start with exit code 1', async () => {
    const child = spawnSandboxMain({ NODE_ENV: 'production', SANDBOX_PORT: '0' });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('NODE_ENV=production');
    expect(stdout).not.toContain('sandbox.listening');
  });
});
