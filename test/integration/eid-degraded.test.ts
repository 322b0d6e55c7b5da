import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, realEidMonitor, type TestApp } from '../support/test-app';
import { makeUser } from '../support/factories';
import { agentFor, postLogin } from '../support/http';
import { signedIn } from '../support/sign-in';
import {
  buildEidTestApp,
  citizenUser,
  pathOf,
  providerLeg,
  startTestSandbox,
} from '../support/eid-flow';
import type { SandboxProcess } from '../support/sandbox-process';
import type { EidMonitor } from '../../src/eid/monitor';

/**
 * Degraded mode decided on evidence, shared through Redis and audited once per change (issue 8,
 * item 5), against a stand-in of the provider's login page whose answer the test chooses, and
 * the sandbox for a real failed exchange.
 */
const NOW = '2026-11-20T12:00:00Z';
const EIGHT_MONTHS_AGO = new Date(new Date(NOW).getTime() - 245 * 86_400_000);
const PROBES = {
  EID_PROBE_INTERVAL_IN_SECONDS: '10',
  EID_DOWN_AFTER_FAILED_PROBES: '3',
  EID_DOWN_AFTER_SECONDS: '30',
};

let standIn: Server;
let standInUrl: string;
/** The status the stand-in answers to everything (the probe is a HEAD of EID_AUTHORIZE_URL). */
let standInStatus = 503;

beforeAll(async () => {
  standIn = createServer((_req, res) => res.writeHead(standInStatus).end());
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  standInUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
});
afterAll(async () => {
  standIn.closeAllConnections();
  await new Promise((resolve) => standIn.close(resolve));
});

/** An app instance whose e-ID status is the real monitor, probing the stand-in. */
async function instance(env: Record<string, string> = {}, start = NOW) {
  let monitor!: EidMonitor;
  const t = await buildTestApp(
    {
      EID_AUTHORIZE_URL: `${standInUrl}/login`,
      EID_TOKEN_URL: `${standInUrl}/rest/authentication`,
      EID_TIMEOUT_IN_SECONDS: '2',
      ...PROBES,
      ...env,
    },
    {
      start,
      eidMonitor: realEidMonitor((m) => (monitor = m)),
    },
  );
  return { t, monitor };
}

/** Where the classic login of a user forced to the e-ID (8 months without it) is sent. */
async function forcedUserGoesTo(t: TestApp): Promise<string | undefined> {
  const { user, password } = await makeUser(t.sequelize, { lastEidLoginAt: EIGHT_MONTHS_AGO });
  return (await postLogin(agentFor(t.app), user.username, password)).headers.location;
}

/**
 * The provider's changes audited within ten minutes from `since`: each block of this file starts
 * its clock at an instant of its own (other files' flips use the real time).
 */
const stateRows = (t: TestApp, since: Date | string) =>
  t.sequelize.query<{ action: string; actor_username: string; target_type: string }>(
    `SELECT action, actor_username, target_type FROM admin_events
     WHERE action LIKE 'eid.provider%'
       AND occurred_at BETWEEN :since AND CAST(:since AS timestamptz) + interval '10 minutes'
     ORDER BY id`,
    { replacements: { since: new Date(since).toISOString() }, type: QueryTypes.SELECT },
  );

const readyEid = async (t: TestApp) => (await request(t.app).get('/readyz')).body.eid as string;
const metric = async (t: TestApp, series: string) => {
  const text = (await request(t.app).get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

describe('degraded mode on evidence (the provider answers 503)', () => {
  let t: TestApp;
  let monitor: EidMonitor;
  // The tests of this block follow one another on one clock, from NOW.
  const since = NOW;
  beforeAll(async () => {
    ({ t, monitor } = await instance());
  });
  afterAll(() => t.close());

  it('when one probe gets a 503 then not degraded: forced e-ID users still go to the e-ID', async () => {
    standInStatus = 503;
    await monitor.check();
    expect(monitor.snapshot()).toMatchObject({ up: true, consecutiveFailures: 1 });
    expect(await readyEid(t)).toBe('ok');
    expect(await forcedUserGoesTo(t)).toBe('/login/eid-required');
  });

  it('when 503s continue for three probes but less than 30 s then still not degraded', async () => {
    for (let i = 0; i < 2; i += 1) {
      t.clock.advanceMinutes(10 / 60);
      await monitor.check();
    }
    expect(monitor.snapshot()).toMatchObject({ up: true, consecutiveFailures: 3 });
    expect(await forcedUserGoesTo(t)).toBe('/login/eid-required');
    expect(await stateRows(t, since)).toEqual([]);
  });

  it('when the 503s have lasted 30 s then degraded: /readyz, /metrics, the login and one audit row say so', async () => {
    t.clock.advanceMinutes(10 / 60);
    await monitor.check();
    expect(monitor.available()).toBe(false);

    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(200); // classic login still works: the instance stays ready
    expect(ready.body).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok', eid: 'degraded' });
    expect(await metric(t, 'his_eid_provider_up')).toBe(0);
    expect(await metric(t, 'his_eid_consecutive_failed_probes')).toBe(4);
    expect(await metric(t, 'his_eid_probes_total{result="failure"}')).toBe(4);

    expect(await forcedUserGoesTo(t)).toBe('/login/establishment');
    expect(await stateRows(t, since)).toEqual([
      { action: 'eid.providerDown', actor_username: 'sistema', target_type: 'eid_provider' },
    ]);
  });

  it('when the provider answers again then one probe ends degraded mode, audited once', async () => {
    standInStatus = 200;
    t.clock.advanceMinutes(10 / 60);
    await monitor.check();
    await monitor.check();
    expect(await readyEid(t)).toBe('ok');
    expect(await metric(t, 'his_eid_provider_up')).toBe(1);
    expect(await forcedUserGoesTo(t)).toBe('/login/eid-required');
    expect((await stateRows(t, since)).map((r) => r.action)).toEqual([
      'eid.providerDown',
      'eid.providerUp',
    ]);
  });

  it('when a global auditor opens the administrative actions then the change reads in Spanish', async () => {
    const auditor = await signedIn(t, { role: 'auditor' });
    const day = 'from=2026-11-20&to=2026-11-20';
    const down = await auditor.agent.get(`/audit/admin-events?action=eid.providerDown&${day}`);
    expect(down.status).toBe(200);
    expect(down.text).toContain(
      'Identidad Electrónica no disponible: inicia el modo de contingencia',
    );
    expect(down.text).toContain('Proveedor de Identidad Electrónica (MITIC)');
    expect(down.text).toContain('Sondeos fallidos seguidos: 4');
    expect(down.text).toContain('sistema');
    const up = await auditor.agent.get(`/audit/admin-events?action=eid.providerUp&${day}`);
    expect(up.text).toContain('Identidad Electrónica disponible: termina el modo de contingencia');
  });
});

describe('degraded mode shared by every instance through Redis', () => {
  it('when two instances probe in turn then they agree, and each change is audited exactly once', async () => {
    const keyPrefix = `${process.env.TEST_REDIS_PREFIX ?? 'test:'}shared-${randomBytes(3).toString('hex')}:`;
    const a = await instance({ REDIS_KEY_PREFIX: keyPrefix });
    const b = await instance({ REDIS_KEY_PREFIX: keyPrefix });
    // Each instance's clock: a later start than the other block, so its rows are told apart.
    const start = '2026-11-21T08:00:00Z';
    a.t.clock.set(start);
    b.t.clock.set(start);
    try {
      standInStatus = 503;
      for (const { monitor } of [a, b, a, b]) {
        await monitor.check();
        a.t.clock.advanceMinutes(10 / 60);
        b.t.clock.advanceMinutes(10 / 60);
      }
      await a.monitor.check();
      expect([a.monitor.available(), b.monitor.available()]).toEqual([false, false]);
      expect(await readyEid(a.t)).toBe('degraded');
      expect(await readyEid(b.t)).toBe('degraded');

      standInStatus = 200;
      await Promise.all([a.monitor.check(), b.monitor.check()]);
      expect([a.monitor.available(), b.monitor.available()]).toEqual([true, true]);
      expect((await stateRows(a.t, start)).map((r) => r.action)).toEqual([
        'eid.providerDown',
        'eid.providerUp',
      ]);
    } finally {
      await a.t.close();
      await b.t.close();
    }
  });
});

describe('EID_DEGRADED_MODE=deny', () => {
  it('when the provider is down then forced e-ID users are refused instead of let in', async () => {
    const { t, monitor } = await instance(
      { EID_DEGRADED_MODE: 'deny', EID_DOWN_AFTER_SECONDS: '0' },
      '2026-11-22T08:00:00Z',
    );
    try {
      standInStatus = 503;
      for (let i = 0; i < 3; i += 1) await monitor.check();
      expect(monitor.available()).toBe(false);
      expect(await forcedUserGoesTo(t)).toBe('/login/eid-required');
    } finally {
      await t.close();
    }
  });
});

describe('one failed e-ID exchange (the landed weakness)', () => {
  let sandbox: SandboxProcess;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.stop());

  it('when one exchange times out while the probe works then the forced e-ID user is still sent to the e-ID', async () => {
    let monitor!: EidMonitor;
    const t = await buildEidTestApp('mitic', sandbox, PROBES, {
      eidMonitor: realEidMonitor((m) => (monitor = m)),
    });
    try {
      const eightMonthsAgo = new Date(t.clock.now().getTime() - 245 * 86_400_000);
      const { document, user, password } = await citizenUser(
        t,
        sandbox,
        { nombres: 'Intercambio', apellidos: 'Lento' },
        { lastEidLoginAt: eightMonthsAgo },
      );
      const agent = agentFor(t.app);
      const callback = await providerLeg(agent, { cedula: document });
      await sandbox.setMode('slow', 4000); // longer than EID_TIMEOUT_IN_SECONDS=2
      expect((await agent.get(pathOf(callback))).status).toBe(504);
      await monitor.settled();
      expect(monitor.snapshot()).toMatchObject({
        up: true,
        consecutiveFailures: 0,
        failedExchanges: 1,
        probes: { success: 1, failure: 0 },
      });
      const classic = await postLogin(agentFor(t.app), user.username, password);
      expect(classic.headers.location).toBe('/login/eid-required');
    } finally {
      await sandbox.setMode('normal');
      await t.close();
    }
  });
});
