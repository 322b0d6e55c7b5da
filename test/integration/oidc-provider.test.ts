import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import { registerModule } from '../../src/domain/modules/commands/register';
import { disableModule, enableModule } from '../../src/domain/modules/commands/set-enabled';
import { cliActor, CLI_META } from '../../src/cli/actor';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import { QueryTypes } from 'sequelize';
import { runCliAsync } from '../support/cli-process';
import { followToModule } from '../support/oidc-rp';
import { createSsoRegistry, QUEUE_LEASE_IN_MS } from '../../src/domain/sessions/sso';

/**
 * HIS Acceso as the OpenID Provider of the other HIS modules, driven by openid-client as the
 * relying party against the real provider (Redis, PostgreSQL): discovery, code + PKCE, the ID
 * token's signature, nonce and claims, single sign-on from the HIS session, prompt=none,
 * prompt=login, the e-ID step-up's request, UserInfo after an establishment switch, a wrong
 * redirect URI, a disabled module, revocation, introspection, and the back-channel logout sent
 * when the HIS session ends.
 */
jest.setTimeout(60_000);

let t: TestApp;
let server: Server;
let issuer: string;
let rp: Server;
let rpUrl: string;
const logoutTokens: string[] = [];
/** The back-channel endpoint at /flaky answers 503 this many more times (then 200). */
let flakyFailures = 0;
/** The pauses the back-channel retries waited for (the test's wait resolves at once). */
const retryPauses: number[] = [];
let place: EstablishmentRecord;
let other: EstablishmentRecord;
let person: SignedInUser;
let agenda: { clientId: string; clientSecret: string };
let config: client.Configuration;
const tag = randomBytes(3).toString('hex');

const listen = (s: Server) =>
  new Promise<number>((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)),
  );
const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

/** A module registered through its command, and openid-client's configuration for it. */
async function registered(module: Parameters<ReturnType<typeof registerModule>>[1]) {
  const made = await registerModule(t)(cliActor('prueba'), module, CLI_META);
  const rpConfig = await client.discovery(
    new URL(issuer),
    made.clientId,
    made.clientSecret,
    undefined,
    { execute: [client.allowInsecureRequests] },
  );
  return { ...made, config: rpConfig };
}

beforeAll(async () => {
  // The app's clock is the real one here: ID tokens are checked against it by the RP.
  const port = await listen((server = createServer()));
  issuer = `http://127.0.0.1:${port}/oidc`;
  t = await buildTestApp(
    { BASE_URL: `http://127.0.0.1:${port}` },
    {
      start: new Date().toISOString(),
      logoutRetryWait: async (pause) => {
        retryPauses.push(pause);
      },
    },
  );
  server.on('request', t.app);
  // The module's back-channel logout endpoint.
  rp = createServer(async (req, res) => {
    const body = new URLSearchParams(await bodyOf(req));
    if (req.url === '/flaky' && flakyFailures > 0) {
      flakyFailures--;
      return res.writeHead(503).end();
    }
    logoutTokens.push(body.get('logout_token') ?? '');
    res.writeHead(200).end();
  });
  rpUrl = `http://127.0.0.1:${await listen(rp)}`;
  place = await makeEstablishment(t.sequelize, `Región OP ${tag}`);
  other = await makeEstablishment(t.sequelize, `Región OP ${tag}`);
  person = await signedIn(t, { establishments: [place, other], name: 'Ana Módulo' });
  const made = await registered({
    name: `Agenda ${tag}`,
    redirectUris: [`${rpUrl}/callback`],
    postLogoutRedirectUris: [`${rpUrl}/`],
    backchannelLogoutUri: `${rpUrl}/backchannel`,
  });
  agenda = made;
  config = made.config;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await new Promise((r) => rp.close(r));
  await t.close();
});

/** Follows the browser's redirects through the app until one leaves it (the module's URL). */
const follow = (agent: request.Agent, start: string) =>
  followToModule(agent, start, issuer, `${rpUrl}/`);

/**
 * An authorization request as the agenda (or the module of `rpConfig`) sends it, with its PKCE
 * verifier, state and nonce.
 */
async function authorize(extra: Record<string, string> = {}, rpConfig = config) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(rpConfig, {
    redirect_uri: `${rpUrl}/callback`,
    scope: 'openid profile his',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce, path: url.pathname + url.search };
}

it('when discovery is read then it announces code + PKCE only, the HIS scope and claims, revocation, introspection and back-channel logout', async () => {
  const meta = config.serverMetadata();
  expect(meta.issuer).toBe(issuer);
  expect(meta.response_types_supported).toEqual(['code']);
  expect(meta.code_challenge_methods_supported).toEqual(['S256']);
  expect(meta.grant_types_supported).not.toContain('implicit');
  expect(meta.grant_types_supported).not.toContain('password');
  expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'his']));
  expect(meta.claims_supported).toEqual(
    expect.arrayContaining(['his_document', 'his_establishment', 'his_roles', 'acr', 'amr']),
  );
  expect(meta.acr_values_supported).toEqual([
    'urn:his:acr:password',
    'urn:his:acr:eid-recent',
    'urn:his:acr:eid',
  ]);
  expect(meta.revocation_endpoint).toBe(`${issuer}/token/revocation`);
  expect(meta.introspection_endpoint).toBe(`${issuer}/token/introspection`);
  expect(meta.backchannel_logout_supported).toBe(true);
  expect(meta.authorization_response_iss_parameter_supported).toBe(true);
});

it('when a person with an open HIS session opens the module then it is signed in without any screen, with the establishment, roles and acr in a signed ID token', async () => {
  const { path, verifier, state, nonce } = await authorize();
  const back = await follow(person.agent, path);
  const callback = new URL(back.headers.location!);
  expect(callback.origin + callback.pathname).toBe(`${rpUrl}/callback`);
  expect(callback.searchParams.get('iss')).toBe(issuer);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const claims = tokens.claims()!;
  expect(claims).toMatchObject({
    iss: issuer,
    aud: agenda.clientId,
    sub: String(person.user.id),
    preferred_username: person.user.username,
    name: 'Ana Módulo',
    his_document: person.user.documentNumber,
    his_establishment: {
      code: place.code,
      id: place.id,
      name: place.name,
      region: `Región OP ${tag}`,
    },
    his_roles: ['staff'],
    acr: 'urn:his:acr:password',
    amr: ['pwd'],
    nonce,
  });
  expect(typeof claims.auth_time).toBe('number');
  expect(claims.sub).not.toBe(person.user.documentNumber);
  // UserInfo answers from the live session: after "Cambiar de establecimiento", the new one.
  const switched = await person.agent
    .post('/establishment')
    .type('form')
    .send({ _csrf: await csrfOf(person.agent, '/'), establishmentId: other.id });
  expect(switched.status).toBe(303);
  const info = await client.fetchUserInfo(config, tokens.access_token, String(person.user.id));
  expect(info.his_establishment).toMatchObject({ code: other.code, id: other.id });
  // Introspection and revocation.
  const active = await client.tokenIntrospection(config, tokens.access_token);
  expect(active).toMatchObject({
    active: true,
    sub: String(person.user.id),
    client_id: agenda.clientId,
  });
  await client.tokenRevocation(config, tokens.access_token);
  expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
});

it('when nobody is signed in then the module is sent through the HIS login and comes back signed in; prompt=none answers login_required', async () => {
  const anonymous = agentFor(t.app);
  const silent = await authorize({ prompt: 'none' });
  const refused = await follow(anonymous, silent.path);
  const answer = new URL(refused.headers.location!);
  expect(answer.searchParams.get('error')).toBe('login_required');
  expect(answer.searchParams.get('state')).toBe(silent.state);

  const { path, verifier, state, nonce } = await authorize();
  const toLogin = await follow(anonymous, path);
  expect(toLogin.headers.location).toBe('/login');
  // The login page says where it continues, with a way not to.
  const loginPage = await anonymous.get('/login');
  expect(loginPage.text).toContain(`Al ingresar, continuará a «Agenda ${tag}».`);
  expect(loginPage.text).toContain('href="/login?solo=his"');
  const logged = await loginAndChoose(anonymous, person.user.username, TEST_PASSWORD, place.id);
  expect(logged.headers.location).toMatch(/^\/login\/oidc\/[\w-]+$/);
  const back = await follow(anonymous, logged.headers.location!);
  const tokens = await client.authorizationCodeGrant(config, new URL(back.headers.location!), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  expect(tokens.claims()!.his_establishment).toMatchObject({ id: place.id });
});

it('when the next person at the PC chooses "Ingresar solo al HIS" then the module request left before is forgotten and the login ends at home', async () => {
  const browser = agentFor(t.app);
  const { path } = await authorize();
  expect((await follow(browser, path)).headers.location).toBe('/login');
  const alone = await browser.get('/login').query({ solo: 'his' });
  expect(alone.headers.location).toBe('/login');
  const again = await browser.get('/login');
  expect(again.text).toContain('Iniciar sesión');
  expect(again.text).not.toContain('data-testid="continue-to"');
  const logged = await loginAndChoose(browser, person.user.username, TEST_PASSWORD, place.id);
  expect(logged.headers.location).toBe('/');
});

it("when a signed-in person's module asks prompt=none then it gets a code without a page", async () => {
  const { path, verifier, state, nonce } = await authorize({ prompt: 'none' });
  const back = await follow(person.agent, path);
  const callback = new URL(back.headers.location!);
  expect(callback.origin).toBe(rpUrl);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  expect(tokens.claims()!.sub).toBe(String(person.user.id));
});

it('when the module asks for the e-ID (acr_values) of a password session then the person is sent to the e-ID, and a silent request answers interaction_required', async () => {
  const { path } = await authorize({ acr_values: 'urn:his:acr:eid' });
  const res = await follow(person.agent, path);
  expect(res.headers.location).toMatch(/^\/auth\/eid\?next=%2Flogin%2Foidc%2F/);
  const silent = await authorize({ acr_values: 'urn:his:acr:eid', prompt: 'none' });
  const answer = await follow(person.agent, silent.path);
  expect(new URL(answer.headers.location!).searchParams.get('error')).toBe('interaction_required');
});

it('when the redirect URI is not registered then the provider refuses with a Spanish page and never redirects', async () => {
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: 'https://attacker.example/callback',
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const res = await person.agent.get(url.pathname + url.search).redirects(0);
  expect(res.status).toBe(400);
  expect(res.headers.location).toBeUndefined();
  expect(res.text).toContain('La dirección de retorno no está registrada para este módulo.');
  // The HIS's own error page (its layout, stylesheet and security headers), with the code.
  expect(res.text).toContain('Saltar al contenido');
  expect(res.text).toContain('<h1 id="error-title">No se pudo ingresar al módulo</h1>');
  expect(res.text).toContain('<code>invalid_redirect_uri</code>');
  expect(res.headers['content-security-policy']).toContain("default-src 'self'");
});

it("when someone opens the provider's own page after a logout then it is the HIS's page that says the session is closed", async () => {
  const res = await agentFor(t.app).get('/oidc/session/end/success');
  expect(res.status).toBe(200);
  expect(res.text).toContain('Su sesión del HIS está cerrada en este equipo.');
  expect(res.text).toContain('Saltar al contenido');
});

it('when PKCE is missing then the request is refused', async () => {
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${rpUrl}/callback`,
    scope: 'openid',
    state: 'x',
  });
  const res = await person.agent.get(url.pathname + url.search).redirects(0);
  const answer = new URL(res.headers.location!);
  expect(answer.searchParams.get('error')).toBe('invalid_request');
});

it('when the HIS session ends then the module gets a back-channel logout token and its tokens stop working', async () => {
  const agent = agentFor(t.app);
  await loginAndChoose(agent, person.user.username, TEST_PASSWORD, place.id);
  const { path, verifier, state, nonce } = await authorize();
  const back = await follow(agent, path);
  const tokens = await client.authorizationCodeGrant(config, new URL(back.headers.location!), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  logoutTokens.length = 0;
  const out = await agent
    .post('/logout')
    .type('form')
    .send({ _csrf: await csrfOf(agent, '/') });
  expect(out.status).toBe(303);
  // Delivered while the logout was answered.
  expect(logoutTokens).toHaveLength(1);
  const logout = decodeJwt(logoutTokens[0]!);
  expect(logout).toMatchObject({
    iss: issuer,
    aud: agenda.clientId,
    sub: String(person.user.id),
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
  });
  // The logout token names the module's session: the `sid` of the ID token it was given.
  const sid = tokens.claims()!.sid;
  expect(typeof sid).toBe('string');
  expect(logout.sid).toBe(sid);
  expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
});

/** The tokens of the module (of `rpConfig`) for the browser `agent`, already signed in. */
async function moduleTokens(
  agent: request.Agent,
  rpConfig = config,
  extra: Record<string, string> = {},
) {
  const { path, verifier, state, nonce } = await authorize(extra, rpConfig);
  const back = await follow(agent, path);
  return client.authorizationCodeGrant(rpConfig, new URL(back.headers.location!), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
}

/** A fresh HIS session of `person` signed into the module (of `rpConfig`); its tokens. */
async function signedIntoModule(agent: request.Agent, rpConfig = config) {
  await loginAndChoose(agent, person.user.username, TEST_PASSWORD, place.id);
  return moduleTokens(agent, rpConfig);
}

it('when the module asks prompt=login then the HIS session ends (its modules told) and the person logs in again before coming back', async () => {
  const agent = agentFor(t.app);
  await signedIntoModule(agent);
  logoutTokens.length = 0;
  const { path, verifier, state, nonce } = await authorize({ prompt: 'login' });
  const toLogin = await follow(agent, path);
  expect(toLogin.headers.location).toBe('/login');
  expect(logoutTokens).toHaveLength(1);
  expect((await agent.get('/')).headers.location).toMatch(/^\/login/);
  t.clock.advanceMinutes(1);
  const logged = await loginAndChoose(agent, person.user.username, TEST_PASSWORD, place.id);
  expect(logged.headers.location).toMatch(/^\/login\/oidc\//);
  const back = await follow(agent, logged.headers.location!);
  const tokens = await client.authorizationCodeGrant(config, new URL(back.headers.location!), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  expect(tokens.claims()!.sub).toBe(String(person.user.id));
  t.clock.set(new Date());
});

it('when the module sends the person to the end-session endpoint then a page of ours asks, and confirming ends the HIS session, tells the modules and returns to the module with its state', async () => {
  const agent = agentFor(t.app);
  const tokens = await signedIntoModule(agent);
  logoutTokens.length = 0;
  const end = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token!,
    post_logout_redirect_uri: `${rpUrl}/`,
    state: 'vuelta-123',
  });
  const first = await agent.get(end.pathname + end.search).redirects(0);
  expect(first.headers.location).toMatch(/^\/login\/oidc\/logout\?/);
  // The same request as a form POST (RP-Initiated Logout 1.0) reaches the same page of ours.
  const posted = await agent
    .post(end.pathname)
    .type('form')
    .send(Object.fromEntries(end.searchParams))
    .redirects(0);
  expect(posted.headers.location).toBe(first.headers.location);
  const page = await agent.get(first.headers.location!);
  expect(page.text).toContain(`«Agenda ${tag}» pidió cerrar su sesión del HIS en este equipo.`);
  const hidden = Object.fromEntries(
    [...page.text.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  expect(hidden).toMatchObject({
    client_id: agenda.clientId,
    post_logout_redirect_uri: `${rpUrl}/`,
    state: 'vuelta-123',
  });
  const done = await agent.post('/login/oidc/logout').type('form').send(hidden);
  expect(done.status).toBe(200);
  expect(done.text).toContain(`content="0;url=${rpUrl}/?state=vuelta-123"`);
  expect((await agent.get('/')).headers.location).toBe('/login');
  expect(logoutTokens.map((token) => decodeJwt(token).sub)).toEqual([String(person.user.id)]);
  expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
});

it('when the post-logout address is not one the module registered then the browser is never sent there', async () => {
  const agent = agentFor(t.app);
  await signedIntoModule(agent);
  const page = await agent
    .get('/login/oidc/logout')
    .query({ client_id: agenda.clientId, post_logout_redirect_uri: 'https://attacker.example/' });
  const hidden = Object.fromEntries(
    [...page.text.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  expect(hidden.post_logout_redirect_uri).toBeUndefined();
  const done = await agent
    .post('/login/oidc/logout')
    .type('form')
    .send({ ...hidden, post_logout_redirect_uri: 'https://attacker.example/' });
  expect(done.status).toBe(200);
  expect(done.text).not.toContain('attacker.example');
  expect(done.text).toContain('Su sesión del HIS está cerrada en este equipo.');
});

it('when the HIS session passes its idle timeout then the module is told at the next request and its tokens stop', async () => {
  const agent = agentFor(t.app);
  const tokens = await signedIntoModule(agent);
  logoutTokens.length = 0;
  t.clock.advanceMinutes(t.config.session.idleTimeoutInMinutes + 1);
  expect((await agent.get('/')).headers.location).toBe('/login?expired=idle');
  expect(logoutTokens).toHaveLength(1);
  expect(decodeJwt(logoutTokens[0]!).sub).toBe(String(person.user.id));
  expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  t.clock.set(new Date());
});

it('when an administrator disables the person then every module they entered is told and UserInfo refuses their token, and their refresh token is refused', async () => {
  const establishmentPlace = await makeEstablishment(t.sequelize, `Región OP ${tag}`);
  const someone = await signedIn(t, { establishments: [establishmentPlace] });
  const admin = await signedIn(t, { establishments: [establishmentPlace], role: 'admin' });
  const tokens = await moduleTokens(someone.agent, config, {
    scope: 'openid profile his offline_access',
    prompt: 'consent',
  });
  expect(tokens.refresh_token).toEqual(expect.any(String));
  logoutTokens.length = 0;
  const disabled = await admin.agent
    .post(`/admin/users/${someone.user.id}/disable`)
    .type('form')
    .send({ _csrf: await csrfOf(admin.agent, `/admin/users/${someone.user.id}`) });
  expect(disabled.status).toBe(303);
  expect(logoutTokens.map((token) => decodeJwt(token).sub)).toEqual([String(someone.user.id)]);
  await expect(
    client.fetchUserInfo(config, tokens.access_token, String(someone.user.id)),
  ).rejects.toThrow();
  expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
  await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
    error: 'invalid_grant',
  });
});

it("when an auditor reads the person's login history then each module sign-in is there with the module, the establishment and the acr, also in the CSV", async () => {
  const auditor = await signedIn(t, { establishments: [place], role: 'auditor' });
  const query = `user=${person.user.username}&method=module`;
  const page = await auditor.agent.get(`/audit/logins?${query}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain(`Ingreso a un módulo del HIS: Agenda ${tag}`);
  expect(page.text).toContain('Ingreso al módulo con contraseña');
  expect(page.text).toContain(place.name);
  const csv = await auditor.agent.get(`/audit/logins.csv?${query}`);
  const lines = csv.text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  expect(lines[0]).toMatch(/;Módulo del HIS$/);
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.endsWith(`;Agenda ${tag}`))).toBe(true);
});

it('when the module is disabled then its sign-ins are refused at once', async () => {
  await disableModule(t)(cliActor('prueba'), { clientId: agenda.clientId }, CLI_META);
  // Each instance reads a module at most once a second.
  t.clock.advanceMinutes(1);
  const { path } = await authorize();
  const res = await person.agent.get(path).redirects(0);
  expect(res.status).toBe(400);
  expect(res.text).toContain(
    'El módulo que lo envió aquí no está registrado o está deshabilitado.',
  );
});

describe("negative cases of the OpenID Foundation's Basic OP plan that apply", () => {
  // The module of the file was disabled by the test before: enabled again (read a second later).
  let browser: request.Agent;
  beforeAll(async () => {
    await enableModule(t)(cliActor('prueba'), { clientId: agenda.clientId }, CLI_META);
    t.clock.advanceMinutes(1);
    browser = agentFor(t.app);
    await loginAndChoose(browser, person.user.username, TEST_PASSWORD, place.id);
  });
  async function freshCode() {
    const { path, verifier, state, nonce } = await authorize();
    const back = await follow(browser, path);
    return { callback: new URL(back.headers.location!), verifier, state, nonce };
  }
  const exchange = (body: Record<string, string>, auth: string) =>
    fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(body),
    });

  it('when a code is used twice then the second exchange is refused (invalid_grant) and the tokens of the first are revoked', async () => {
    const { callback, verifier } = await freshCode();
    const body = {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: `${rpUrl}/callback`,
      code_verifier: verifier,
    };
    const credentials = `${agenda.clientId}:${agenda.clientSecret}`;
    const first = await exchange(body, credentials);
    expect(first.status).toBe(200);
    const { access_token } = (await first.json()) as { access_token: string };
    const second = await exchange(body, credentials);
    expect(second.status).toBe(400);
    expect(((await second.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await client.tokenIntrospection(config, access_token)).active).toBe(false);
  });

  it('when the client secret is wrong, the verifier does not match or the redirect URI differs then the exchange is refused', async () => {
    const { callback, verifier } = await freshCode();
    const code = callback.searchParams.get('code')!;
    const base = { grant_type: 'authorization_code', code, redirect_uri: `${rpUrl}/callback` };
    const wrongSecret = await exchange(
      { ...base, code_verifier: verifier },
      `${agenda.clientId}:nope`,
    );
    expect(wrongSecret.status).toBe(401);
    expect(((await wrongSecret.json()) as { error: string }).error).toBe('invalid_client');
    const credentials = `${agenda.clientId}:${agenda.clientSecret}`;
    const wrongVerifier = await exchange({ ...base, code_verifier: 'x'.repeat(43) }, credentials);
    expect(((await wrongVerifier.json()) as { error: string }).error).toBe('invalid_grant');
    const other = await freshCode();
    const wrongRedirect = await exchange(
      {
        ...base,
        code: other.callback.searchParams.get('code')!,
        code_verifier: other.verifier,
        redirect_uri: `${rpUrl}/other`,
      },
      credentials,
    );
    expect(((await wrongRedirect.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('when another module introspects or revokes a token it was not issued then it learns nothing and the token stays valid', async () => {
    const { callback, verifier, state, nonce } = await freshCode();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const { config: otherConfig } = await registered({
      name: `Otro ${tag}`,
      redirectUris: [`${rpUrl}/otro`],
    });
    expect((await client.tokenIntrospection(otherConfig, tokens.access_token)).active).toBe(false);
    await client.tokenRevocation(otherConfig, tokens.access_token).catch(() => undefined);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
  });
});

describe('"Módulos del HIS" (the admin screen)', () => {
  it('when a global admin registers a module then the secret is shown once, the module is listed, and its secret can be renewed; a regional admin cannot open the screen', async () => {
    const admin = await signedIn(t, { establishments: [place], role: 'admin' });
    const csrf = await csrfOf(admin.agent, '/admin/modules');
    const refused = await admin.agent
      .post('/admin/modules')
      .type('form')
      .send({ _csrf: csrf, name: 'Farmacia', redirectUris: 'no es una URL' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('La dirección de retorno debe ser una URL http(s) completa');
    const done = await admin.agent
      .post('/admin/modules')
      .type('form')
      .send({
        _csrf: csrf,
        name: `Farmacia ${tag}`,
        redirectUris:
          'https://farmacia.example.gov.py/callback\r\nhttps://farmacia.example.gov.py/cb2',
        backchannelLogoutUri: 'https://farmacia.example.gov.py/backchannel',
      });
    expect(done.status).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    const clientId = /data-testid="client-id">([^<]+)</.exec(done.text)![1]!;
    const secret = /data-testid="client-secret">([^<]+)</.exec(done.text)![1]!;
    const list = await admin.agent.get('/admin/modules');
    expect(list.text).toContain(`Farmacia ${tag}`);
    expect(list.text).toContain(clientId);
    expect(list.text).not.toContain(secret);
    const renewed = await admin.agent
      .post(`/admin/modules/${clientId}/secret`)
      .type('form')
      .send({ _csrf: await csrfOf(admin.agent, '/admin/modules') });
    expect(renewed.text).toContain('El secreto anterior ya no funciona.');
    expect(/data-testid="client-secret">([^<]+)</.exec(renewed.text)![1]).not.toBe(secret);

    const regional = await signedIn(t, {
      establishments: [place],
      role: 'admin',
      scope: `region:Región OP ${tag}`,
    });
    expect((await regional.agent.get('/admin/modules')).status).toBe(403);
    expect((await regional.agent.get('/admin/users')).text).not.toContain('Módulos del HIS');
  });
});

describe('sessions end everywhere: retries, the CLI, max_age, a deactivated establishment', () => {
  // The agenda was enabled again by the negative cases; a second module answers at /flaky.
  let flaky: { clientId: string; clientSecret: string };
  let flakyConfig: client.Configuration;
  beforeAll(async () => {
    const made = await registered({
      name: `Laboratorio ${tag}`,
      redirectUris: [`${rpUrl}/callback`],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: `${rpUrl}/flaky`,
    });
    flaky = made;
    flakyConfig = made.config;
  });
  const undelivered = () =>
    t.sequelize.query<{ target_id: string; target_user_id: number; details: unknown }>(
      `SELECT target_id, target_user_id, details FROM admin_events
        WHERE action = 'modules.logoutUndelivered' AND target_id = $1`,
      { bind: [flaky.clientId], type: QueryTypes.SELECT },
    );

  /** Someone signed into the flaky module logs out of the HIS while it fails `failures` times. */
  async function logOutWhileFailing(failures: number) {
    const agent = agentFor(t.app);
    const tokens = await signedIntoModule(agent, flakyConfig);
    logoutTokens.length = 0;
    retryPauses.length = 0;
    flakyFailures = failures;
    const out = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: await csrfOf(agent, '/') });
    expect(out.status).toBe(303);
    return tokens;
  }

  it('when the module does not answer the first back-channel logout then it is retried after 1 s and 5 s and delivered, with nothing audited', async () => {
    const tokens = await logOutWhileFailing(2);
    // The logout is answered after the first attempt; the retries go on behind it.
    await t.moduleLogouts.settled();
    expect(retryPauses).toEqual([1000, 5000]);
    expect(flakyFailures).toBe(0);
    expect(logoutTokens.map((token) => decodeJwt(token))).toEqual([
      expect.objectContaining({ aud: flaky.clientId, sid: tokens.claims()!.sid }),
    ]);
    expect(await undelivered()).toEqual([]);
  });

  it('when the module never answers then the logout is given up after 1 s, 5 s and 30 s and audited by the system; its tokens stopped at once anyway', async () => {
    const tokens = await logOutWhileFailing(4);
    expect((await client.tokenIntrospection(flakyConfig, tokens.access_token)).active).toBe(false);
    await t.moduleLogouts.settled();
    expect(retryPauses).toEqual([1000, 5000, 30_000]);
    expect(logoutTokens).toEqual([]);
    expect(await undelivered()).toEqual([
      {
        target_id: flaky.clientId,
        target_user_id: person.user.id,
        details: { attempts: 4 },
      },
    ]);
  });

  /** Someone signed into the Agenda, then disabled by an operator with the CLI. */
  async function disabledWithCli() {
    const someone = await signedIn(t, { establishments: [place] });
    const tokens = await moduleTokens(someone.agent);
    logoutTokens.length = 0;
    const res = await runCliAsync(['user:disable', '--username', someone.user.username], {
      env: { REDIS_KEY_PREFIX: t.config.redis.keyPrefix },
      timeoutMs: 30_000,
    });
    // Its stderr shown if it fails (a busy machine's runtime warnings are no failure).
    expect({ status: res.status, stderr: res.stderr }).toMatchObject({ status: 0 });
    return { someone, tokens };
  }

  it('when an operator disables the person with the CLI then the modules lose their tokens at once and the app sends the back-channel logout it queued', async () => {
    const { someone, tokens } = await disabledWithCli();
    // No provider runs in the CLI: the tokens are gone, the logout token waits for the app.
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    expect(logoutTokens).toEqual([]);
    expect(await t.moduleLogouts.deliver()).toBe(1);
    expect(logoutTokens.map((token) => decodeJwt(token))).toEqual([
      expect.objectContaining({
        aud: agenda.clientId,
        sub: String(someone.user.id),
        sid: tokens.claims()!.sid,
      }),
    ]);
    expect(await t.moduleLogouts.deliver()).toBe(0);
  });

  it('when an instance takes the queued logouts and dies before telling the modules then another one tells them once its lease ends', async () => {
    const { tokens } = await disabledWithCli();
    // Another instance takes them, and is gone before it sends anything.
    const dying = createSsoRegistry(t.redis, t.config.redis.keyPrefix, 3600);
    expect(await dying.takeQueued(t.clock.now())).toHaveLength(1);
    expect(await t.moduleLogouts.deliver()).toBe(0);
    t.clock.advanceMinutes(QUEUE_LEASE_IN_MS / 60_000 + 1);
    try {
      expect(await t.moduleLogouts.deliver()).toBe(1);
      await t.moduleLogouts.settled();
      expect(logoutTokens.map((token) => decodeJwt(token))).toEqual([
        expect.objectContaining({ aud: agenda.clientId, sid: tokens.claims()!.sid }),
      ]);
      // Delivered: its lease is gone, nobody takes it again.
      t.clock.advanceMinutes(QUEUE_LEASE_IN_MS / 60_000 + 1);
      expect(await t.moduleLogouts.deliver()).toBe(0);
    } finally {
      t.clock.set(new Date());
    }
  });

  it('when the module asks max_age and the HIS session is older then the person logs in again (the modules told); a recent one is answered at once', async () => {
    const agent = agentFor(t.app);
    // A session opened ten minutes ago.
    t.clock.set(new Date(Date.now() - 10 * 60_000));
    await loginAndChoose(agent, person.user.username, TEST_PASSWORD, place.id);
    t.clock.set(new Date());
    const first = await authorize({ max_age: '3600' });
    const answered = await follow(agent, first.path);
    const tokens = await client.authorizationCodeGrant(
      config,
      new URL(answered.headers.location!),
      {
        pkceCodeVerifier: first.verifier,
        expectedState: first.state,
        expectedNonce: first.nonce,
        maxAge: 3600,
      },
    );
    logoutTokens.length = 0;
    const { path, verifier, state, nonce } = await authorize({ max_age: '300' });
    const toLogin = await follow(agent, path);
    expect(toLogin.headers.location).toBe('/login');
    expect(logoutTokens.map((token) => decodeJwt(token).sid)).toEqual([tokens.claims()!.sid]);
    const logged = await loginAndChoose(agent, person.user.username, TEST_PASSWORD, place.id);
    const back = await follow(agent, logged.headers.location!);
    const fresh = await client.authorizationCodeGrant(config, new URL(back.headers.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      maxAge: 300,
    });
    expect(fresh.claims()!.auth_time).toBeGreaterThan(tokens.claims()!.auth_time!);
  });

  it('when the HIS session reaches its absolute end, active all along, then the module is told and its tokens stop', async () => {
    const agent = agentFor(t.app);
    const tokens = await signedIntoModule(agent);
    logoutTokens.length = 0;
    const end = t.clock.now().getTime() + t.config.session.absoluteTimeoutInHours * 3_600_000;
    // Active every 20 minutes (never idle) until just before the absolute end: still open.
    while (t.clock.now().getTime() + 20 * 60_000 < end) {
      t.clock.advanceMinutes(20);
      expect((await agent.get('/')).status).toBe(200);
    }
    expect(logoutTokens).toEqual([]);
    t.clock.advanceMinutes(21);
    expect((await agent.get('/')).headers.location).toBe('/login?expired=absolute');
    expect(logoutTokens.map((token) => decodeJwt(token).sid)).toEqual([tokens.claims()!.sid]);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    t.clock.set(new Date());
  });

  it('when a global admin deactivates the establishment a session works in then the modules it entered are told and their tokens refused', async () => {
    const closing = await makeEstablishment(t.sequelize, `Región OP ${tag}`);
    const someone = await signedIn(t, { establishments: [closing, place] });
    const admin = await signedIn(t, { establishments: [place], role: 'admin' });
    const tokens = await moduleTokens(someone.agent);
    expect(tokens.claims()!.his_establishment).toMatchObject({ id: closing.id });
    logoutTokens.length = 0;
    const done = await admin.agent
      .post(`/admin/establishments/${closing.id}/deactivate`)
      .type('form')
      .send({ _csrf: await csrfOf(admin.agent, `/admin/establishments/${closing.id}`) });
    expect(done.status).toBe(303);
    expect(logoutTokens.map((token) => decodeJwt(token))).toEqual([
      expect.objectContaining({ sub: String(someone.user.id), sid: tokens.claims()!.sid }),
    ]);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });
});
