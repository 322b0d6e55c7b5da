import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { agentFor, postLogin, userAgentOf } from '../support/http';
import { verifyChain } from '../../src/domain/audit/verify';

/**
 * Whatever a person types ends up in the hash-chained audit exactly as it is hashed. A NUL byte
 * typed into the login form used to be hashed as NUL but stored by Sequelize as the two
 * characters `\0`: `audit:verify` then reported the chain broken at that row — anyone could raise
 * the tamper alarm from the login page. In an administrator's change it made jsonb refuse the row.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const rowsOf = (userAgent: string) =>
  t.sequelize.query<{ username: string }>(
    'SELECT username FROM login_events WHERE user_agent = :userAgent ORDER BY id',
    { replacements: { userAgent }, type: QueryTypes.SELECT },
  );

it('when a username with a NUL byte is typed at the login then the row stores U+FFFD and the chain verifies', async () => {
  const agent = agentFor(t.app);
  const res = await postLogin(agent, 'ana\u0000gomez', 'una-clave-cualquiera');
  expect(res.status).toBe(401);
  expect(await rowsOf(userAgentOf(agent))).toEqual([{ username: 'ana\uFFFDgomez' }]);
  expect((await verifyChain(t.sequelize, 'login_events')).brokenAt).toBeNull();
});

it('when an audited change carries a NUL byte or an unpaired surrogate then it is stored and the chain verifies', async () => {
  const userAgent = `his-test/nul-${Date.now()}`;
  await t.repos.transaction((tx) =>
    t.repos.adminEvents.append(
      {
        occurredAt: t.clock.now(),
        actorUserId: null,
        actorUsername: 'admin\u0000x',
        action: 'user.update',
        outcome: 'denied',
        targetType: 'user',
        targetId: '1',
        targetUserId: null,
        details: { fullName: { before: 'A\u0000', after: 'B\uD800' }, 'k\u0000': ['\uDC00'] },
        establishmentId: null,
        regionIds: [],
        ip: '127.0.0.1',
        userAgent,
      },
      tx,
    ),
  );
  const [row] = await t.sequelize.query<{ actor_username: string; details: unknown }>(
    'SELECT actor_username, details FROM admin_events WHERE user_agent = :userAgent',
    { replacements: { userAgent }, type: QueryTypes.SELECT },
  );
  expect(row).toEqual({
    actor_username: 'admin\uFFFDx',
    details: { fullName: { before: 'A\uFFFD', after: 'B\uFFFD' }, 'k\uFFFD': ['\uFFFD'] },
  });
  expect((await verifyChain(t.sequelize, 'admin_events')).brokenAt).toBeNull();
});
