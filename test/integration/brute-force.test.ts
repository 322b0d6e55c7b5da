import { randomInt } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfOf, loginAndChoose, postLogin } from '../support/http';
import { verifyPassword } from '../../src/domain/passwords/hashing';

jest.setTimeout(60_000);

const PAIR = 5;
const ACCOUNT = 20;
const PER_IP = 150;

/** Counts the login form's hash verifications; `hold` keeps them waiting while a test fires more. */
const verifier = {
  calls: 0,
  hold: null as Promise<void> | null,
  onCall: null as (() => void) | null,
};

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp(
    {
      LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP: String(PAIR),
      LOGIN_MAX_FAILURES_PER_ACCOUNT: String(ACCOUNT),
      LOGIN_MAX_FAILURES_PER_IP: String(PER_IP),
      LOGIN_LOCK_DURATION_IN_MINUTES: '2',
      LOGIN_MAX_LOCK_DURATION_IN_MINUTES: '3',
      LOGIN_FAILURE_WINDOW_IN_MINUTES: '1',
      LOGIN_IP_BLOCK_DURATION_IN_MINUTES: '4',
      // The per-source limit of distinct usernames (password-spraying.test.ts) out of the way of
      // the credential-stuffing case, which tries 200 usernames from one address.
      LOGIN_MAX_FAILING_USERNAMES_PER_DAY: '1000',
    },
    {
      verifyPassword: async (hash, password) => {
        verifier.calls++;
        verifier.onCall?.();
        if (verifier.hold) await verifier.hold;
        return verifyPassword(hash, password);
      },
    },
  );
});
afterAll(() => t.close());
beforeEach(() => {
  verifier.calls = 0;
  verifier.hold = null;
  verifier.onCall = null;
});

/** A source address of this test alone (the default TRUST_PROXY trusts the loopback peer). */
const newIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const from = (ip: string): request.Agent => agentFor(t.app).set('X-Forwarded-For', ip);
const login = (ip: string, username: string, password: string) =>
  postLogin(from(ip), username, password);
const gotIn = (res: request.Response) => res.headers.location === '/login/establishment';

const reasons = async (username: string) =>
  (
    await t.sequelize.query<{ reason: string }>(
      'SELECT reason FROM login_events WHERE username = :username ORDER BY id',
      { replacements: { username }, type: QueryTypes.SELECT },
    )
  ).map((r) => r.reason);
const count = (list: string[], reason: string) => list.filter((r) => r === reason).length;
const pairKey = (username: string, ip: string) =>
  `${t.config.redis.keyPrefix}login-pair:${encodeURIComponent(username)}|${ip}`;

describe('brute force: the decision is taken before the hash', () => {
  it('when 100 wrong passwords arrive at once then only the allowed number is verified and the rest refused as locked', async () => {
    const { user } = await makeUser(t.sequelize);
    const ip = newIp();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => login(ip, user.username, 'wrong-password')),
    );
    expect(results.every((r) => r.status === 401)).toBe(true);
    expect(verifier.calls).toBe(PAIR);
    const rows = await reasons(user.username);
    expect(count(rows, 'bad_password')).toBe(PAIR);
    expect(count(rows, 'account_locked')).toBe(100 - PAIR);
    expect(count(rows, 'lockout_started')).toBe(1);
  });

  it('when the right password comes in a burst of wrong ones after the limit is reserved then it does not get in', async () => {
    const { user } = await makeUser(t.sequelize);
    const ip = newIp();
    let release!: () => void;
    verifier.hold = new Promise((resolve) => (release = resolve));
    const allReserved = new Promise<void>((resolve) => {
      verifier.onCall = () => verifier.calls === PAIR && resolve();
    });
    const wrong = Array.from({ length: 49 }, () => login(ip, user.username, 'wrong-password'));
    // Every point of the limit is now held by a wrong password being verified (or, if the limit
    // were not reserved up front, the wrong ones all finished and the count below fails).
    await Promise.race([allReserved, Promise.all(wrong)]);
    expect(verifier.calls).toBe(PAIR);
    const right = await login(ip, user.username, TEST_PASSWORD);
    release();
    await Promise.all(wrong);
    expect(right.status).toBe(401);
    expect(gotIn(right)).toBe(false);
    expect(verifier.calls).toBe(PAIR);
    expect(await login(ip, user.username, TEST_PASSWORD).then(gotIn)).toBe(false);
  });
});

describe('brute force: nobody can lock out a health worker from elsewhere', () => {
  it('when an attacker locks their own address out of an account then the person still logs in from theirs', async () => {
    const { user } = await makeUser(t.sequelize);
    const attacker = newIp();
    for (let i = 0; i < PAIR + 2; i++) await login(attacker, user.username, 'wrong-password');
    expect(await login(attacker, user.username, TEST_PASSWORD).then(gotIn)).toBe(false);
    expect(await login(newIp(), user.username, TEST_PASSWORD).then(gotIn)).toBe(true);
    const rows = await reasons(user.username);
    expect(rows.at(-2)).toBe('account_locked');
    expect(rows).toContain('lockout_started');
  });

  it('when many addresses exceed the account-wide limit then new sources are throttled but the ward PC keeps working', async () => {
    const { user } = await makeUser(t.sequelize);
    const wardPc = newIp();
    expect(await login(wardPc, user.username, TEST_PASSWORD).then(gotIn)).toBe(true);
    // A distributed attack: 4 failures from each address, never reaching a pair's lock.
    const attackers = Array.from({ length: ACCOUNT / 4 + 2 }, newIp);
    for (const ip of attackers) {
      for (let i = 0; i < 4; i++) await login(ip, user.username, 'wrong-password');
    }
    const before = verifier.calls;
    expect(await login(newIp(), user.username, TEST_PASSWORD).then(gotIn)).toBe(false);
    expect(verifier.calls).toBe(before); // throttled before any hash
    expect(await login(wardPc, user.username, TEST_PASSWORD).then(gotIn)).toBe(true);
    const rows = await reasons(user.username);
    expect(count(rows, 'bad_password')).toBe(ACCOUNT);
    expect(count(rows, 'throttled_account')).toBe(4 * attackers.length - ACCOUNT + 1);
  });
});

describe('brute force: credential stuffing from one address', () => {
  it('when one address tries 200 usernames then it gets 429 with Retry-After past its limit, for everyone behind it', async () => {
    const ip = newIp();
    const token = randomInt(1e9).toString(36);
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          login(ip, `stuffing-${token}-${batch * 20 + i}`, 'Password123'),
        ),
      );
      for (const r of results) {
        statuses.push(r.status);
        if (r.status === 429) retryAfter ??= r.headers['retry-after'];
      }
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_IP);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - PER_IP);
    expect(Number(retryAfter)).toBeGreaterThan(3 * 60);
    expect(Number(retryAfter)).toBeLessThanOrEqual(4 * 60);

    const { user } = await makeUser(t.sequelize);
    const blocked = await login(ip, user.username, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Demasiados intentos fallidos desde esta red');
    expect(blocked.text).toContain('Espere 4 minutos');
    expect(await reasons(user.username)).toEqual(['throttled_ip']);
    expect(await login(newIp(), user.username, TEST_PASSWORD).then(gotIn)).toBe(true);
  });
});

describe('brute force: lock duration', () => {
  it('when the failure that locks comes late in the window then the lock still lasts its full duration, longer each time, up to the cap', async () => {
    const { user } = await makeUser(t.sequelize);
    const ip = newIp();
    const key = pairKey(user.username, ip);
    for (let i = 0; i < PAIR - 1; i++) await login(ip, user.username, 'wrong-password');
    // As if the first failure were 55 s old: 5 s left of its 1-minute window.
    expect(await t.redis.pExpire(key, 5000)).toBe(1);
    await login(ip, user.username, 'wrong-password');
    expect(await t.redis.ttl(key)).toBeGreaterThan(2 * 60 - 5);
    expect(await t.redis.ttl(key)).toBeLessThanOrEqual(2 * 60);

    await t.redis.del(key); // the first lock over; the next one is longer (4 min, capped at 3)
    for (let i = 0; i < PAIR; i++) await login(ip, user.username, 'wrong-password');
    expect(await t.redis.ttl(key)).toBeGreaterThan(3 * 60 - 5);
    expect(await t.redis.ttl(key)).toBeLessThanOrEqual(3 * 60);
    expect(count(await reasons(user.username), 'lockout_started')).toBe(2);
  });
});

describe('brute force: what an administrator sees and does', () => {
  it('when an admin presses Desbloquear then every lock and throttle of the account ends', async () => {
    const { user: admin, establishments } = await makeUser(t.sequelize, { role: 'admin' });
    const adminAgent = from(newIp());
    await loginAndChoose(adminAgent, admin.username, TEST_PASSWORD, establishments[0]!.id);
    const { user } = await makeUser(t.sequelize);
    const attackers = Array.from({ length: ACCOUNT / PAIR + 1 }, newIp);
    for (const ip of attackers) {
      for (let i = 0; i < PAIR; i++) await login(ip, user.username, 'wrong-password');
    }
    expect(await login(attackers[0]!, user.username, TEST_PASSWORD).then(gotIn)).toBe(false);
    expect(await login(newIp(), user.username, TEST_PASSWORD).then(gotIn)).toBe(false);
    const page = await adminAgent.get(`/admin/users/${user.id}`);
    expect(page.text).toContain('Bloqueada por intentos fallidos');

    const csrf = await csrfOf(adminAgent, '/');
    const unlock = await adminAgent
      .post(`/admin/users/${user.id}/unlock`)
      .type('form')
      .send({ _csrf: csrf });
    expect(unlock.status).toBe(303);
    expect(await login(attackers[0]!, user.username, TEST_PASSWORD).then(gotIn)).toBe(true);
    expect(await login(newIp(), user.username, TEST_PASSWORD).then(gotIn)).toBe(true);
    const after = await adminAgent.get(`/admin/users/${user.id}`);
    expect(after.text).not.toContain('Bloqueada por intentos fallidos');
  });
});
