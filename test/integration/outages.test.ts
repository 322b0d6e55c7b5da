import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, postLogin } from '../support/http';
import { freePort, startRedis, stop } from '../support/own-redis';

/** Asks /readyz until Redis is back; bounded (the client reconnects within a few seconds). */
async function waitUntilReady(t: TestApp): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if ((await request(t.app).get('/readyz')).status === 200) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('when a dependency is down', () => {
  it('when PostgreSQL does not answer then a login gets a Spanish 503 page within seconds, not a hang or a trace', async () => {
    const t = await buildTestApp({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/his_acceso' });
    try {
      const started = Date.now();
      const res = await postLogin(agentFor(t.app), 'alguien', 'una-clave-cualquiera');
      expect(res.status).toBe(503);
      expect(res.text).toContain('El servicio no está disponible en este momento');
      expect(res.text).toContain('Código de soporte');
      expect(res.text).not.toMatch(/at .+\.(ts|js):\d+/);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await request(t.app).get('/readyz')).body).toMatchObject({
        postgres: 'unavailable',
        redis: 'ok',
      });
    } finally {
      await t.close();
    }
  });

  it('when Redis stops then pages answer 503 in Spanish and nobody gets in; when it returns the app recovers by itself', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const t = await buildTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      const { user, establishments } = await makeUser(t.sequelize);
      expect((await request(t.app).get('/login')).status).toBe(200);

      await stop(redis);
      const page = await request(t.app).get('/login');
      expect(page.status).toBe(503);
      expect(page.text).toContain('El servicio no está disponible en este momento');
      const login = await request(t.app)
        .post('/login')
        .type('form')
        .send({ username: user.username, password: TEST_PASSWORD });
      expect(login.status).toBe(503);
      expect(login.headers['set-cookie']).toBeUndefined();

      redis = await startRedis(port);
      expect(await waitUntilReady(t)).toBe(true);
      const agent = agentFor(t.app);
      expect((await postLogin(agent, user.username, TEST_PASSWORD)).headers.location).toBe(
        '/login/establishment',
      );
      expect(establishments).toHaveLength(1);
    } finally {
      await t.close();
      await stop(redis);
    }
  });
});
