import { createServer, type Server } from 'node:http';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { TEST_PASSWORD } from '../support/factories';
import {
  agentFor,
  csrfFrom,
  csrfOf,
  postLogin,
  sessionCookie,
  STACK_TRACE,
  timed,
  UNAVAILABLE,
} from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';
import { verifyPassword } from '../../src/domain/passwords/hashing';

/*
 * Faults of Redis (a redis-server of this file only, on a free port: killed, paused with DEBUG
 * SLEEP and CLIENT PAUSE, restarted empty) and of the e-ID provider (a port nobody listens on, a
 * server that never answers). The issue's budget: every request answered within 2 s with the
 * right Spanish page, never a hang, a stack trace or a crash; nobody let in; recovery without
 * restarting the app. Jest fails the running test on any unhandled rejection, and each fault
 * ends by checking that the same app (same process, same Redis client) answers normally again.
 */

const BUDGET_MS = 2000;
/**
 * Polls until the app serves again: /auth/verify without a cookie is its plain 401 once Redis
 * answers, the 503 page before. Bounded (10 s).
 */
async function waitUntilServing(t: TestApp): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await request(t.app).get('/auth/verify')).status === 401) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the app did not serve again within 10 s');
}

describe('Redis faults', () => {
  let redis: OwnRedis;
  let t: TestApp;
  let staff: SignedInUser;
  let admin: SignedInUser;
  let verifications = 0;
  /** Runs inside the next password check, before its answer (a fault at the worst moment). */
  let duringVerification: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    redis = await startOwnRedis();
    t = await buildTestApp(
      // One wrong password starts the lock, so a fault can strike while it is being set.
      { REDIS_URL: redis.url, LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP: '1' },
      {
        verifyPassword: async (hash, password) => {
          verifications++;
          const fault = duringVerification;
          duringVerification = null;
          await fault?.();
          return verifyPassword(hash, password);
        },
      },
    );
  });
  afterAll(async () => {
    await t?.close();
    await redis?.close();
  });

  /** A staff member and an administrator, each with an open session, made while Redis is up. */
  async function openSessions() {
    staff = await signedIn(t);
    admin = await signedIn(t, { role: 'admin' });
    expect((await staff.agent.get('/')).status).toBe(200);
    expect((await admin.agent.get('/admin/users')).status).toBe(200);
  }

  /**
   * Every kind of request, each sent while the fault lasts: the login form and its POST with the
   * right password, the home page and /auth/verify with a session cookie, an admin page and the
   * logout. Each must be a Spanish 503 within the budget, with no redirect into a page and no
   * password verified without the brute-force limiter.
   */
  async function everyRequestUnavailable() {
    const logoutCsrf = csrfFrom((await staff.agent.get('/')).text);
    const loginAgent = agentFor(t.app);
    const loginCsrf = await csrfOf(loginAgent, '/login');
    return async () => {
      const before = verifications;
      const requests: [string, () => PromiseLike<request.Response>][] = [
        ['GET /login', () => request(t.app).get('/login')],
        [
          'POST /login',
          () =>
            loginAgent
              .post('/login')
              .type('form')
              .send({ username: staff.user.username, password: TEST_PASSWORD, _csrf: loginCsrf }),
        ],
        ['GET /', () => staff.agent.get('/')],
        ['GET /auth/verify', () => staff.agent.get('/auth/verify')],
        ['GET /admin/users', () => admin.agent.get('/admin/users')],
        [
          'POST /logout',
          () => staff.agent.post('/logout').type('form').send({ _csrf: logoutCsrf }),
        ],
      ];
      for (const [name, send] of requests) {
        const { res, ms } = await timed(send);
        expect(res.text).not.toMatch(STACK_TRACE);
        expect({ name, fast: ms < BUDGET_MS }).toEqual({ name, fast: true });
        // The bare login form needs no Redis when it makes no session: it may still be shown.
        if (name === 'GET /login' && res.status === 200) {
          expect(res.text).toContain('Iniciar sesión');
          continue;
        }
        expect({ name, status: res.status }).toEqual({ name, status: 503 });
        expect(res.text).toContain(UNAVAILABLE);
        expect(res.headers.location).toBeUndefined();
        expect(res.headers['retry-after']).toBe('30');
      }
      expect(verifications).toBe(before);
    };
  }

  it('when Redis is killed then every request is a Spanish 503 within 2 s and nobody gets in; when it returns empty, old cookies lead to the login and new logins work without a restart', async () => {
    await openSessions();
    const probe = await everyRequestUnavailable();
    await redis.kill();
    await probe();

    await redis.restart();
    await waitUntilServing(t);
    // The sessions were in the lost Redis: the old cookie is a stranger now, not an error.
    const home = await staff.agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/login');
    expect((await staff.agent.get('/auth/verify')).status).toBe(401);
    expect((await admin.agent.get('/admin/users')).headers.location).toBe('/login');
    const again = await signedIn(t);
    expect((await again.agent.get('/')).status).toBe(200);
  });

  it.each([
    ['the right password', TEST_PASSWORD],
    ['a wrong password that starts the lock', 'not-the-password-1'],
  ])(
    'when Redis dies while %s is being checked then a 503 and no session, and only a wrong password is on record',
    async (_name, password) => {
      const user = await signedIn(t);
      const agent = agentFor(t.app);
      const csrf = await csrfOf(agent, '/login');
      duringVerification = () => redis.kill();
      const { res, ms } = await timed(() =>
        agent
          .post('/login')
          .type('form')
          .send({ username: user.user.username, password, _csrf: csrf }),
      );
      expect(res.status).toBe(503);
      expect(ms).toBeLessThan(BUDGET_MS);
      expect(res.text).toContain(UNAVAILABLE);
      expect(res.headers.location).toBeUndefined();

      expect(sessionCookie(res)).toBeUndefined();
      await redis.restart();
      await waitUntilServing(t);
      // A wrong password stays on record even though its lock could not be set.
      const [last] = await t.sequelize.query<{ reason: string | null }>(
        `SELECT reason FROM login_events WHERE user_id = :id AND method = 'classic'
         AND outcome = 'failure' AND occurred_at >= :since`,
        { replacements: { id: user.user.id, since: t.clock.now() }, type: QueryTypes.SELECT },
      );
      expect(last?.reason).toBe(password === TEST_PASSWORD ? undefined : 'bad_password');
    },
  );

  it.each([
    ['DEBUG SLEEP 5', 'debug-sleep'],
    ['CLIENT PAUSE 5000 ALL', 'client-pause'],
  ] as const)(
    'when Redis is paused (%s) then every request is a Spanish 503 within 2 s; afterwards the open sessions go on',
    async (_name, how) => {
      await openSessions();
      const probe = await everyRequestUnavailable();
      const pause = await redis.pause(how, 5);
      try {
        await probe();
      } finally {
        await pause.ended;
      }

      await waitUntilServing(t);
      expect((await staff.agent.get('/')).status).toBe(200);
      expect((await staff.agent.get('/auth/verify')).status).toBe(204);
      expect((await admin.agent.get('/admin/users')).status).toBe(200);
      const login = await postLogin(agentFor(t.app), staff.user.username, TEST_PASSWORD);
      expect(login.headers.location).toBe('/login/establishment');
    },
  );

  it('when Redis is paused then requests sent at the same moment are all answered within 2 s', async () => {
    await openSessions();
    const pause = await redis.pause('client-pause', 5);
    try {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          timed(() => (i % 2 ? staff.agent.get('/') : request(t.app).get('/login'))),
        ),
      );
      for (const [i, { res, ms }] of answers.entries()) {
        expect({ i, fast: ms < BUDGET_MS }).toEqual({ i, fast: true });
        expect(res.status).toBe(i % 2 || res.status !== 200 ? 503 : 200);
      }
    } finally {
      await pause.ended;
    }
    await waitUntilServing(t);
    expect((await staff.agent.get('/')).status).toBe(200);
  });
});

/** An HTTP server that accepts requests and never answers them (a hung provider). */
async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that refuses connections (bound, then released). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const eidEnvAt = (protocol: 'mitic' | 'oidc', url: string): Record<string, string> => ({
  EID_PROTOCOL: protocol,
  EID_CLIENT_ID: 'his-acceso-test',
  EID_CLIENT_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
  EID_REDIRECT_URI: 'http://localhost:3000/auth/eid/callback',
  EID_TIMEOUT_IN_SECONDS: '1',
  ...(protocol === 'mitic'
    ? {
        EID_AUTHORIZE_URL: `${url}/login`,
        EID_TOKEN_URL: `${url}/rest/authentication`,
        EID_ISSUER: 'faults-test',
      }
    : { EID_ISSUER: `${url}/oidc` }),
});

describe('e-ID provider faults', () => {
  /** EID_TIMEOUT_IN_SECONDS (1) plus the margin a page needs. */
  const EID_BUDGET_MS = 1000 + 1000;

  /** A MITIC callback with a state of this browser's flow (MITIC's start calls nobody). */
  async function mitcCallback(agent: request.Agent): Promise<string> {
    const start = await agent.get('/auth/eid');
    expect(start.status).toBe(303);
    const state = new URL(start.headers.location!).searchParams.get('state');
    return `/auth/eid/callback?state=${encodeURIComponent(state!)}&code=abc123`;
  }

  /** Classic login, the home page and logout of a new user: the e-ID fault must not touch them. */
  async function classicStillWorks(t: TestApp) {
    const user = await signedIn(t);
    const { res: home, ms } = await timed(() => user.agent.get('/'));
    expect(home.status).toBe(200);
    expect(ms).toBeLessThan(BUDGET_MS);
    const csrf = csrfFrom(home.text);
    const { res: bye, ms: byeMs } = await timed(() =>
      user.agent.post('/logout').type('form').send({ _csrf: csrf }),
    );
    expect(bye.headers.location).toBe('/login?bye=1');
    expect(byeMs).toBeLessThan(BUDGET_MS);
  }

  it('when the MITIC provider is down then the callback answers at once with "no responde", and classic login works', async () => {
    const t = await buildTestApp(eidEnvAt('mitic', await deadUrl()));
    try {
      const agent = agentFor(t.app);
      const { res, ms } = await timed(async () => agent.get(await mitcCallback(agent)));
      expect(res.status).toBe(503);
      expect(res.text).toContain('El servicio de Identidad Electrónica no responde');
      expect(res.text).not.toMatch(STACK_TRACE);
      expect(ms).toBeLessThan(BUDGET_MS);
      expect((await agent.get('/')).headers.location).toBe('/login');
      await classicStillWorks(t);
    } finally {
      await t.close();
    }
  });

  it('when the MITIC provider never answers its token endpoint then the callback answers "tardó demasiado" within the e-ID timeout', async () => {
    const silent = await startSilentServer();
    const t = await buildTestApp(eidEnvAt('mitic', silent.url));
    try {
      const agent = agentFor(t.app);
      const callback = await mitcCallback(agent);
      const { res, ms } = await timed(() => agent.get(callback));
      expect(res.status).toBe(504);
      expect(res.text).toContain('tardó demasiado en responder');
      expect(ms).toBeLessThan(EID_BUDGET_MS);
      expect((await agent.get('/')).headers.location).toBe('/login');
      await classicStillWorks(t);
    } finally {
      await t.close();
      await silent.close();
    }
  });

  it.each([
    ['down', 503, 'no responde'],
    ['silent', 504, 'tardó demasiado en responder'],
  ] as const)(
    'when the OIDC provider is %s then "Ingresar con Identidad Electrónica" answers a Spanish page within the e-ID timeout, and classic login works',
    async (kind, status, text) => {
      const silent = kind === 'silent' ? await startSilentServer() : null;
      const t = await buildTestApp(eidEnvAt('oidc', silent?.url ?? (await deadUrl())));
      try {
        const agent = agentFor(t.app);
        const { res, ms } = await timed(() => agent.get('/auth/eid'));
        expect(res.status).toBe(status);
        expect(res.text).toContain(text);
        expect(res.text).not.toMatch(STACK_TRACE);
        expect(ms).toBeLessThan(EID_BUDGET_MS);
        await classicStillWorks(t);
      } finally {
        await t.close();
        await silent?.close();
      }
    },
  );
});
