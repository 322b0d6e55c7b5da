import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { realEidMonitor, type TestApp } from '../support/test-app';
import type { SandboxProcess } from '../support/sandbox-process';
import { makeUser, uniqueDocument } from '../support/factories';
import {
  agentFor,
  csrfOf,
  loginAndChoose,
  postLogin,
  sessionCookie,
  userAgentOf,
} from '../support/http';
import {
  buildEidTestApp,
  citizenUser,
  CLIENT_SECRET,
  pathOf,
  providerLeg,
  startAtApp,
  startTestSandbox,
} from '../support/eid-flow';
import { createLogger } from '../../src/shared/logger';
import type { EidMonitor } from '../../src/eid/monitor';
import { formatCedula } from '../../src/shared/cedula';

const events = (t: TestApp, userId: number) =>
  t.sequelize.query<{ method: string; outcome: string; reason: string }>(
    'SELECT method, outcome, reason FROM login_events WHERE user_id = :userId ORDER BY id',
    { replacements: { userId }, type: QueryTypes.SELECT },
  );

/** The reason of the newest e-ID row this agent caused (other files share the database). */
const lastReason = async (t: TestApp, agent: request.Agent) =>
  (
    await t.sequelize.query<{ reason: string }>(
      "SELECT reason FROM login_events WHERE method = 'eid' AND user_agent = :userAgent ORDER BY id DESC LIMIT 1",
      { replacements: { userAgent: userAgentOf(agent) }, type: QueryTypes.SELECT },
    )
  )[0]?.reason;

describe.each(['mitic', 'oidc'] as const)('e-ID login with the %s protocol', (protocol) => {
  let sandbox: SandboxProcess;
  let t: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await buildEidTestApp(protocol, sandbox);
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });
  afterEach(() => sandbox.setMode('normal'));

  /** A user whose cédula is a sandbox citizen of this test only. */
  const citizenUser = async (opts: Parameters<typeof makeUser>[1] = {}) => {
    const document = uniqueDocument();
    await sandbox.addCitizen({ cedula: document, nombres: 'Persona', apellidos: 'De Prueba' });
    return makeUser(t.sequelize, { ...opts, document });
  };

  it('when the citizen logs in and clicks Ingresar then a session opens with the blue check', async () => {
    const { user, establishments } = await citizenUser();
    const agent = agentFor(t.app);
    const callback = await providerLeg(agent, { cedula: user.documentNumber });
    const back = await agent.get(pathOf(callback));
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/login/establishment');
    expect(sessionCookie(back)).toBeDefined(); // regenerated after the e-ID login

    const confirm = await agent.get('/login/establishment');
    expect(confirm.text).toContain('Persona de Prueba');
    expect(confirm.text).toContain(formatCedula(user.documentNumber));
    expect(confirm.text).toContain(establishments[0]!.name);
    expect(confirm.text).toContain('Ingresar');
    expect(confirm.text).toContain('No soy yo');
    // No session before "Ingresar".
    expect((await agent.get('/')).headers.location).toBe('/login');

    const stamp = t.clock.now();
    expect((await t.repos.users.findById(user.id))!.lastEidLoginAt?.toISOString()).toBe(
      stamp.toISOString(),
    );

    const csrf = await csrfOf(agent, '/login/establishment');
    const done = await agent
      .post('/login/establishment')
      .type('form')
      .send({ establishmentId: establishments[0]!.id, _csrf: csrf });
    expect(done.headers.location).toBe('/');
    const home = await agent.get('/');
    expect(home.text).toContain('data-eid-badge="verified"');
    expect((await events(t, user.id)).map((e) => [e.method, e.outcome, e.reason])).toEqual([
      ['eid', 'info', 'eid_verified'],
      ['eid', 'success', 'login'],
    ]);
    const [binding] = await t.sequelize.query<{ subject: string }>(
      'SELECT subject FROM eid_identities WHERE user_id = :id',
      {
        replacements: { id: user.id },
        type: QueryTypes.SELECT,
      },
    );
    expect(binding?.subject).toBe(user.documentNumber);
  });

  it('when a person who used the e-ID before comes back then the callback sends PostgreSQL at most 4 statements', async () => {
    const { user, establishments } = await citizenUser();
    // The first e-ID login binds the identity (the long way).
    const first = agentFor(t.app);
    await first.get(pathOf(await providerLeg(first, { cedula: user.documentNumber })));
    await first
      .post('/login/establishment')
      .type('form')
      .send({
        _csrf: await csrfOf(first, '/login/establishment'),
        establishmentId: establishments[0]!.id,
      });
    const agent = agentFor(t.app);
    const callback = await providerLeg(agent, { cedula: user.documentNumber });
    const statements: string[] = [];
    t.sequelize.addHook(
      'beforeQuery',
      'count-statements',
      (_options, query) => void statements.push(String((query as { sql?: string }).sql ?? '')),
    );
    try {
      expect((await agent.get(pathOf(callback))).headers.location).toBe('/login/establishment');
    } finally {
      t.sequelize.removeHook('beforeQuery', 'count-statements');
    }
    // The binding and both timestamps in one UPDATE … RETURNING; the audit row: BEGIN, the
    // append, COMMIT (bench/README.md, docs/performance.md).
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.length).toBeLessThanOrEqual(4);
  });

  it('when the person clicks "No soy yo" then no session opens and the attempt is recorded', async () => {
    const { user } = await citizenUser();
    const agent = agentFor(t.app);
    await agent.get(pathOf(await providerLeg(agent, { cedula: user.documentNumber })));
    const csrf = await csrfOf(agent, '/login/establishment');
    const res = await agent.post('/login/cancel').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    if (protocol === 'oidc')
      expect(res.headers.location).toContain(`${sandbox.url}/oidc/session/end`);
    else expect(res.headers.location).toBe('/login');
    expect((await agent.get('/')).headers.location).toBe('/login');
    expect((await events(t, user.id)).at(-1)).toMatchObject({
      outcome: 'failure',
      reason: 'cancelled_by_user',
    });
  });

  it.each([
    ['bad_signature', 'eid_bad_signature'],
    ['alg_none', 'eid_bad_algorithm'],
    ['wrong_iss', 'eid_wrong_issuer'],
    ['wrong_aud', 'eid_wrong_audience'],
    ['expired', 'eid_token_expired'],
    ['http_500', 'eid_provider_error'],
    ...(protocol === 'oidc'
      ? [
          ['wrong_nonce', 'eid_nonce_mismatch'],
          ['missing_nonce', 'eid_nonce_mismatch'],
        ]
      : []),
  ])(
    'when the provider misbehaves (%s) then no session, a Spanish page and an audit row %s',
    async (mode, reason) => {
      const { user } = await citizenUser();
      const agent = agentFor(t.app);
      const callback = await providerLeg(agent, { cedula: user.documentNumber });
      await sandbox.setMode(mode);
      const res = await agent.get(pathOf(callback));
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.text).toContain('No se pudo iniciar sesión con Identidad Electrónica');
      expect(res.text).not.toContain(callback.split('code=')[1]?.split('&')[0] ?? '@@');
      expect((await agent.get('/')).headers.location).toBe('/login');
      expect(await lastReason(t, agent)).toBe(reason);
      expect((await t.repos.users.findById(user.id))!.lastEidLoginAt).toBeNull();
    },
  );

  it('when the provider is slower than the timeout then a clear page within the timeout plus a second', async () => {
    const { user } = await citizenUser();
    const agent = agentFor(t.app);
    const callback = await providerLeg(agent, { cedula: user.documentNumber });
    await sandbox.setMode('slow', 8000);
    const started = Date.now();
    const res = await agent.get(pathOf(callback));
    const elapsed = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.text).toContain('tardó demasiado');
    expect(elapsed).toBeLessThan((t.config.eid.timeoutInSeconds + 1) * 1000);
    expect(await lastReason(t, agent)).toBe('eid_timeout');
  });

  it('when the state is missing, wrong or replayed then the callback is refused', async () => {
    const { user } = await citizenUser();
    const strip = agentFor(t.app);
    const noState = new URL(await providerLeg(strip, { cedula: user.documentNumber }));
    noState.searchParams.delete('state');
    const missing = await strip.get(pathOf(noState.toString()));
    expect(missing.status).toBe(400);
    expect(await lastReason(t, strip)).toBe('eid_state_mismatch');

    const forge = agentFor(t.app);
    const wrongState = new URL(await providerLeg(forge, { cedula: user.documentNumber }));
    wrongState.searchParams.set('state', 'forged-state');
    expect((await forge.get(pathOf(wrongState.toString()))).status).toBe(400);
    expect(await lastReason(t, forge)).toBe('eid_state_mismatch');

    const replayer = agentFor(t.app);
    const callback = await providerLeg(replayer, { cedula: user.documentNumber });
    expect((await replayer.get(pathOf(callback))).status).toBe(303);
    const replay = await replayer.get(pathOf(callback));
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('No hay un inicio de sesión con Identidad Electrónica en curso');
    expect(await lastReason(t, replayer)).toBe('eid_no_flow');
  });

  // MITIC sends no iss parameter, so the test exists for the OIDC client only, which must check it.
  if (protocol === 'oidc') {
    it('when the response names another issuer (iss parameter) then the OIDC callback is refused', async () => {
      const { user } = await citizenUser();
      const agent = agentFor(t.app);
      const callback = new URL(await providerLeg(agent, { cedula: user.documentNumber }));
      expect(callback.searchParams.get('iss')).toBe(`${sandbox.url}/oidc`);
      callback.searchParams.set('iss', 'https://otro-emisor.example');
      const res = await agent.get(pathOf(callback.toString()));
      expect(res.status).toBe(502);
      expect(await lastReason(t, agent)).toBe('eid_wrong_issuer');
    });
  }

  it('when a callback arrives in a browser that started no flow then it is refused', async () => {
    const { user } = await citizenUser();
    const callback = await providerLeg(agentFor(t.app), { cedula: user.documentNumber });
    const otherBrowser = agentFor(t.app);
    const stranger = await otherBrowser.get(pathOf(callback));
    expect(stranger.status).toBe(400);
    expect(sessionCookie(stranger)).toBeUndefined();
    expect(await lastReason(t, otherBrowser)).toBe('eid_no_flow');
  });

  it('when the person cancels at the provider then back at /login with the Spanish notice', async () => {
    const agent = agentFor(t.app);
    const callback = await providerLeg(agent, { cancel: true });
    const res = await agent.get(pathOf(callback));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    expect((await agent.get('/login')).text).toContain(
      'Inicio de sesión con Identidad Electrónica cancelado',
    );
    expect(await lastReason(t, agent)).toBe('eid_cancelled');
  });

  it('when the cédula has no HIS account then a page says so and whom to ask', async () => {
    const document = uniqueDocument();
    await sandbox.addCitizen({ cedula: document, nombres: 'Sin', apellidos: 'Cuenta' });
    const agent = agentFor(t.app);
    const res = await agent.get(pathOf(await providerLeg(agent, { cedula: document })));
    expect(res.status).toBe(403);
    expect(res.text).toContain('no está habilitada en el HIS');
    expect(res.text).toContain('administrador del HIS');
    expect(await lastReason(t, agent)).toBe('eid_unknown_document');
  });

  it('when the HIS account is disabled then the generic refusal', async () => {
    const { user } = await citizenUser();
    await t.repos.users.update(user.id, { status: 'disabled' });
    const agent = agentFor(t.app);
    const res = await agent.get(pathOf(await providerLeg(agent, { cedula: user.documentNumber })));
    expect(res.headers.location).toBe('/login');
    expect((await agent.get('/login')).text).toContain('Usuario o contraseña incorrectos');
    expect((await events(t, user.id)).at(-1)).toMatchObject({
      method: 'eid',
      reason: 'account_disabled',
    });
  });

  it('when the identity is bound to a user then a different subject for that user is refused', async () => {
    const { user } = await citizenUser();
    await t.sequelize.query(
      "INSERT INTO eid_identities (issuer, subject, user_id) VALUES (:issuer, 'another-subject', :id)",
      {
        replacements: {
          issuer: protocol === 'mitic' ? t.config.eid.issuer : `${sandbox.url}/oidc`,
          id: user.id,
        },
      },
    );
    const agent = agentFor(t.app);
    const res = await agent.get(pathOf(await providerLeg(agent, { cedula: user.documentNumber })));
    expect(res.status).toBe(403);
    expect((await events(t, user.id)).at(-1)).toMatchObject({ reason: 'eid_identity_mismatch' });
  });

  describe('forced re-authentication', () => {
    const sevenMonthsAgo = () => new Date(t.clock.now().getTime() - 213 * 86_400_000);

    it('when re-authentication is forced then the provider is asked for a fresh login', async () => {
      const { user, password } = await citizenUser({ lastEidLoginAt: sevenMonthsAgo() });
      const agent = agentFor(t.app);
      await postLogin(agent, user.username, password);
      const authorize = new URL(await startAtApp(agent));
      if (protocol === 'oidc') {
        expect(authorize.searchParams.get('max_age')).toBe('0');
        expect(authorize.searchParams.get('prompt')).toBe('login');
        expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      } else {
        // MITIC has no max_age: the same-cédula check after the exchange is what holds.
        expect(authorize.searchParams.get('max_age')).toBeNull();
        expect(authorize.searchParams.get('responseType')).toBe('code');
      }
    });

    it('when the classic login is past the limit then the e-ID of the same person turns the badge blue', async () => {
      const { user, establishments, password } = await citizenUser({
        lastEidLoginAt: sevenMonthsAgo(),
      });
      const agent = agentFor(t.app);
      const classic = await postLogin(agent, user.username, password);
      expect(classic.headers.location).toBe('/login/eid-required');
      const back = await agent.get(
        pathOf(await providerLeg(agent, { cedula: user.documentNumber })),
      );
      expect(back.headers.location).toBe('/login/establishment');
      const csrf = await csrfOf(agent, '/login/establishment');
      await agent
        .post('/login/establishment')
        .type('form')
        .send({ establishmentId: establishments[0]!.id, _csrf: csrf });
      expect((await agent.get('/')).text).toContain('data-eid-badge="verified"');
      expect((await t.repos.users.findById(user.id))!.lastEidLoginAt!.getTime()).toBeGreaterThan(
        sevenMonthsAgo().getTime(),
      );
      expect((await events(t, user.id)).map((e) => e.reason)).toEqual([
        'eid_reauth_expired',
        'eid_reauthenticated',
        'login',
      ]);
    });

    it('when a returning person logs in with the e-ID then their session on another PC shows the blue check at once (the cached identity is stamped, not reloaded)', async () => {
      const { user, establishments, password } = await citizenUser();
      // A first e-ID login binds the identity; then the badge is made stale.
      const bound = agentFor(t.app);
      await bound.get(pathOf(await providerLeg(bound, { cedula: user.documentNumber })));
      const fourMonthsAgo = new Date(t.clock.now().getTime() - 122 * 86_400_000);
      await t.repos.users.recordActivity(user.id, { lastEidLoginAt: fourMonthsAgo });
      await t.identities.refresh(user.id);
      const other = agentFor(t.app);
      await loginAndChoose(other, user.username, password, establishments[0]!.id);
      expect((await other.get('/')).text).toContain('data-eid-badge="stale"');

      t.clock.advanceMinutes(1);
      const agent = agentFor(t.app);
      expect(
        (await agent.get(pathOf(await providerLeg(agent, { cedula: user.documentNumber })))).headers
          .location,
      ).toBe('/login/establishment');
      expect((await other.get('/')).text).toContain('data-eid-badge="verified"');
      const cached = JSON.parse(
        (await t.redis.get(`${t.config.redis.keyPrefix}identity:${user.id}`))!,
      ) as { lastEidLoginAt: string; grants: unknown[]; establishments: unknown[] };
      expect(cached.lastEidLoginAt).toBe(t.clock.now().toISOString());
      expect(Array.isArray(cached.grants) && Array.isArray(cached.establishments)).toBe(true);
    });

    it('when a user in the warning window verifies from home then the session goes on with the blue check', async () => {
      const fourMonthsAgo = new Date(t.clock.now().getTime() - 122 * 86_400_000);
      const { user, establishments, password } = await citizenUser({
        lastEidLoginAt: fourMonthsAgo,
      });
      const agent = agentFor(t.app);
      const opened = await loginAndChoose(agent, user.username, password, establishments[0]!.id);
      const before = sessionCookie(opened)!;
      const home = await agent.get('/');
      expect(home.text).toContain('href="/auth/eid"');
      expect(home.text).toContain('data-eid-badge="stale"');

      const back = await agent.get(
        pathOf(await providerLeg(agent, { cedula: user.documentNumber })),
      );
      expect(back.headers.location).toBe('/');
      const after = sessionCookie(back)!;
      expect(after).not.toBe(before);
      const refreshed = await agent.get('/');
      expect(refreshed.text).toContain('Identidad Electrónica verificada.');
      expect(refreshed.text).toContain('data-eid-badge="verified"');
      expect(refreshed.text).not.toContain('data-testid="reauth-warning"');
      expect(refreshed.text).toContain(establishments[0]!.name);
      expect((await request(t.app).get('/').set('Cookie', before)).headers.location).toBe('/login');
      expect(await t.sessionIndex.list(user.id)).toHaveLength(1);
      expect((await events(t, user.id)).at(-1)).toMatchObject({
        outcome: 'info',
        reason: 'eid_reauthenticated',
      });
    });

    it("when someone else's e-ID answers a verification from home then it is refused and the session is unchanged", async () => {
      const { user, establishments, password } = await citizenUser({ lastEidLoginAt: null });
      const { user: other } = await citizenUser();
      const agent = agentFor(t.app);
      await loginAndChoose(agent, user.username, password, establishments[0]!.id);
      const res = await agent.get(
        pathOf(await providerLeg(agent, { cedula: other.documentNumber })),
      );
      expect(res.status).toBe(403);
      const home = await agent.get('/');
      expect(home.status).toBe(200);
      expect(home.text).toContain('data-eid-badge="never"');
      expect((await events(t, other.id)).at(-1)).toMatchObject({
        reason: 'eid_reauth_other_person',
      });
    });

    it("when another person's e-ID answers the re-authentication then it is refused and audited", async () => {
      const { user, password } = await citizenUser({ lastEidLoginAt: sevenMonthsAgo() });
      const { user: other } = await citizenUser();
      const agent = agentFor(t.app);
      await postLogin(agent, user.username, password);
      const res = await agent.get(
        pathOf(await providerLeg(agent, { cedula: other.documentNumber })),
      );
      expect(res.status).toBe(403);
      expect(res.text).toContain('es de otra persona');
      expect((await agent.get('/')).headers.location).toBe('/login');
      expect((await events(t, other.id)).at(-1)).toMatchObject({
        outcome: 'failure',
        reason: 'eid_reauth_other_person',
      });
      expect((await t.repos.users.findById(other.id))!.lastEidLoginAt).toBeNull();
    });
  });
});

describe('e-ID provider down', () => {
  it.each(['mitic', 'oidc'] as const)(
    'when the %s provider is unreachable at the exchange then a clear page and an audit row',
    async (protocol) => {
      const sandbox = await startTestSandbox();
      const t = await buildEidTestApp(protocol, sandbox);
      try {
        const document = uniqueDocument();
        await sandbox.addCitizen({ cedula: document, nombres: 'Caida', apellidos: 'Del Servicio' });
        await makeUser(t.sequelize, { document });
        const agent = agentFor(t.app);
        const callback = await providerLeg(agent, { cedula: document });
        await sandbox.stop();
        const res = await agent.get(pathOf(callback));
        expect(res.status).toBe(503);
        expect(res.text).toContain('no responde');
        expect(await lastReason(t, agent)).toBe('eid_provider_unreachable');
      } finally {
        await t.close();
        await sandbox.stop();
      }
    },
  );
});

describe('degraded mode through the provider monitor', () => {
  it('when an exchange finds the provider down then only probes over the period switch, and then classic logins past the limit get in, flagged, with a banner', async () => {
    const sandbox = await startTestSandbox();
    let monitor!: EidMonitor;
    const t = await buildEidTestApp(
      'mitic',
      sandbox,
      {},
      {
        eidMonitor: realEidMonitor((m) => (monitor = m)),
      },
    );
    try {
      const eightMonthsAgo = new Date(t.clock.now().getTime() - 245 * 86_400_000);
      const { document, user, password, establishments } = await citizenUser(
        t,
        sandbox,
        { nombres: 'Modo', apellidos: 'Contingencia' },
        { lastEidLoginAt: eightMonthsAgo },
      );
      expect((await postLogin(agentFor(t.app), user.username, password)).headers.location).toBe(
        '/login/eid-required',
      );

      const agent = agentFor(t.app);
      const callback = await providerLeg(agent, { cedula: document });
      await sandbox.stop();
      expect((await agent.get(pathOf(callback))).status).toBe(503);
      await monitor.settled(); // the exchange's immediate probe: one failure, not a switch
      expect(monitor.available()).toBe(true);
      expect((await postLogin(agentFor(t.app), user.username, password)).headers.location).toBe(
        '/login/eid-required',
      );
      // EID_DOWN_AFTER_FAILED_PROBES=3 over EID_DOWN_AFTER_SECONDS=30, one probe every 10 s.
      for (let i = 0; i < 3; i += 1) {
        t.clock.advanceMinutes(10 / 60);
        await monitor.check();
      }
      expect(monitor.available()).toBe(false);

      const classic = agentFor(t.app);
      expect((await classic.get('/login')).text).toContain(
        'El servicio de Identidad Electrónica no responde',
      );
      expect((await postLogin(classic, user.username, password)).headers.location).toBe(
        '/login/establishment',
      );
      const csrf = await csrfOf(classic, '/login/establishment');
      await classic
        .post('/login/establishment')
        .type('form')
        .send({ establishmentId: establishments[0]!.id, _csrf: csrf });
      expect((await classic.get('/')).text).toContain('modo de contingencia');
      const [row] = await t.sequelize.query<{ degraded: boolean; reason: string }>(
        'SELECT degraded, reason FROM login_events WHERE user_id = :id ORDER BY id DESC LIMIT 1',
        { replacements: { id: user.id }, type: QueryTypes.SELECT },
      );
      expect(row).toEqual({ degraded: true, reason: 'degraded_mode' });
    } finally {
      await t.close();
      await sandbox.stop();
    }
  });
});

describe('e-ID sessions and secrets', () => {
  let sandbox: SandboxProcess;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.stop());

  it.each(['mitic', 'oidc'] as const)(
    'when an e-ID session of the %s protocol logs out then the session dies (and the OIDC provider session too)',
    async (protocol) => {
      const t = await buildEidTestApp(protocol, sandbox);
      try {
        const { document, establishments } = await citizenUser(t, sandbox, {
          nombres: 'Cierre',
          apellidos: 'De Sesión',
        });
        const agent = agentFor(t.app);
        await agent.get(pathOf(await providerLeg(agent, { cedula: document })));
        const csrf = await csrfOf(agent, '/login/establishment');
        const opened = await agent
          .post('/login/establishment')
          .type('form')
          .send({ establishmentId: establishments[0]!.id, _csrf: csrf });
        const cookie = sessionCookie(opened)!;
        const out = await agent
          .post('/logout')
          .type('form')
          .send({ _csrf: await csrfOf(agent, '/') });
        expect(out.status).toBe(303);
        if (protocol === 'oidc') {
          expect(out.headers.location).toContain(`${sandbox.url}/oidc/session/end`);
          expect(out.headers.location).not.toContain('id_token_hint');
        } else {
          expect(out.headers.location).toBe('/login?bye=1');
        }
        expect((await request(t.app).get('/').set('Cookie', cookie)).headers.location).toBe(
          '/login',
        );
      } finally {
        await t.close();
      }
    },
  );

  it('when e-ID logins succeed and fail then neither the client secret nor the code reaches the logs', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const t = await buildEidTestApp('mitic', sandbox, {}, { logger });
    try {
      const { document } = await citizenUser(t, sandbox, { nombres: 'Sin', apellidos: 'Fugas' });
      const codes: string[] = [];
      for (const mode of ['normal', 'bad_signature', 'http_500', 'slow']) {
        const agent = agentFor(t.app);
        const callback = await providerLeg(agent, { cedula: document });
        codes.push(new URL(callback).searchParams.get('code')!);
        await sandbox.setMode(mode, mode === 'slow' ? 4000 : undefined);
        const res = await agent.get(pathOf(callback));
        expect(res.text).not.toContain(CLIENT_SECRET);
      }
      await sandbox.setMode('normal');
      const logged = lines.join('\n');
      expect(logged).toContain('eid_bad_signature');
      expect(logged).not.toContain(CLIENT_SECRET);
      for (const code of codes) expect(logged).not.toContain(code);
    } finally {
      await t.close();
    }
  });
});
