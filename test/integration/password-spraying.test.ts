import { randomInt } from 'node:crypto';
import type request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, postLogin } from '../support/http';
import { verifyPassword } from '../../src/domain/passwords/hashing';

/**
 * Password spraying (a few guesses at many accounts) from one network: an IPv6 /64 is one source,
 * a source may fail with at most LOGIN_MAX_FAILING_USERNAMES_PER_DAY distinct usernames a day, and
 * the establishments' own networks (LOGIN_TRUSTED_NETWORKS) have higher limits so that a
 * hospital's shift change is never blocked. Each refusal has its own audit code.
 */
jest.setTimeout(120_000);

const TRUSTED = '10.77.0.0/16';
let verifications = 0;
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp(
    { LOGIN_TRUSTED_NETWORKS: TRUSTED, LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP: '5' },
    {
      verifyPassword: async (hash, password) => {
        verifications++;
        return verifyPassword(hash, password);
      },
    },
  );
});
afterAll(() => t.close());

const from = (ip: string): request.Agent => agentFor(t.app).set('X-Forwarded-For', ip);
const login = (ip: string, username: string, password: string) =>
  postLogin(from(ip), username, password);
const reasonsOf = async (username: string) =>
  (
    await t.sequelize.query<{ reason: string }>(
      'SELECT reason FROM login_events WHERE username = :username ORDER BY id',
      { replacements: { username }, type: QueryTypes.SELECT },
    )
  ).map((r) => r.reason);
const token = () => randomInt(1e9).toString(36);
const unknownIp = () => `172.${randomInt(16, 32)}.${randomInt(256)}.${randomInt(1, 255)}`;

it('when seven addresses of one IPv6 /64 guess one account then they share one lock', async () => {
  const { user } = await makeUser(t.sequelize);
  const block = `2001:db8:${randomInt(65536).toString(16)}:${randomInt(65536).toString(16)}`;
  const statuses: number[] = [];
  for (let i = 1; i <= 7; i++)
    statuses.push((await login(`${block}::${i}`, user.username, 'wrong-password')).status);
  expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401]);
  // The sixth address found the /64 already locked: refused without its hash verified.
  expect(await reasonsOf(user.username)).toEqual([
    'bad_password',
    'bad_password',
    'bad_password',
    'bad_password',
    'lockout_started',
    'bad_password',
    'account_locked',
    'account_locked',
  ]);
  // And the person's right password from that /64 is refused too; from elsewhere it works.
  expect((await login(`${block}::99`, user.username, TEST_PASSWORD)).status).toBe(401);
  expect((await login(unknownIp(), user.username, TEST_PASSWORD)).status).toBe(303);
});

it('when one unknown address fails with 100 distinct usernames then the 101st is throttled before any hash, with its own code', async () => {
  const ip = unknownIp();
  const run = token();
  for (let batch = 0; batch < 5; batch++)
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        login(ip, `spray-${run}-${batch * 20 + i}`, 'Verano2026'),
      ),
    );
  const before = verifications;
  const next = await login(ip, `spray-${run}-100`, 'Verano2026');
  expect(next.status).toBe(429);
  expect(Number(next.headers['retry-after'])).toBeGreaterThan(23 * 3600);
  expect(next.text).toContain('Demasiados intentos fallidos desde esta red');
  expect(verifications).toBe(before);
  expect(await reasonsOf(`spray-${run}-100`)).toEqual(['throttled_spray']);
  // A real person behind that address, a new username: refused too (the source is spraying).
  const { user } = await makeUser(t.sequelize);
  expect((await login(ip, user.username, TEST_PASSWORD)).status).toBe(429);
  // Elsewhere, nothing changed.
  expect((await login(unknownIp(), user.username, TEST_PASSWORD)).status).toBe(303);
});

it('when a trusted hospital network has its shift change (300 logins, 150 mistyped usernames) then nobody is throttled', async () => {
  const nat = `10.77.${randomInt(256)}.${randomInt(1, 255)}`;
  const staff = await Promise.all(Array.from({ length: 30 }, () => makeUser(t.sequelize)));
  const run = token();
  const statuses: number[] = [];
  // 150 distinct mistyped usernames (more than an unknown address may fail with)…
  for (let batch = 0; batch < 6; batch++)
    statuses.push(
      ...(
        await Promise.all(
          Array.from({ length: 25 }, (_, i) => login(nat, `typo-${run}-${batch * 25 + i}`, 'x')),
        )
      ).map((r) => r.status),
    );
  // …and 300 logins of the shift, ten per person.
  for (let round = 0; round < 10; round++)
    statuses.push(
      ...(await Promise.all(staff.map(({ user }) => login(nat, user.username, TEST_PASSWORD)))).map(
        (r) => r.status,
      ),
    );
  expect(statuses.filter((s) => s === 429)).toEqual([]);
  expect(statuses.filter((s) => s === 303)).toHaveLength(300);
});

it('when a trusted network passes even its higher limit then it is throttled under its own code', async () => {
  const local = await buildTestApp({
    LOGIN_TRUSTED_NETWORKS: TRUSTED,
    LOGIN_TRUSTED_MAX_FAILURES_PER_IP: '3',
  });
  try {
    const nat = `10.77.${randomInt(256)}.${randomInt(1, 255)}`;
    const run = token();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await postLogin(agentFor(local.app).set('X-Forwarded-For', nat), `net-${run}-${i}`, 'x'))
          .status,
      );
    expect(statuses).toEqual([401, 401, 401, 429]);
    const [row] = await local.sequelize.query<{ reason: string }>(
      'SELECT reason FROM login_events WHERE username = :username',
      { replacements: { username: `net-${run}-3` }, type: QueryTypes.SELECT },
    );
    expect(row?.reason).toBe('throttled_network');
  } finally {
    await local.close();
  }
});
