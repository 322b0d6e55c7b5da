/**
 * The ceilings of `npm run bench` (bench/ratios.ts), forked by it as a process of its own: the
 * least that Express 5 + express-session + connect-redis + EJS do for a signed-in page on the same
 * Node and Redis as the app. No helmet, no CSRF, no metrics, no policy, no identity: what the
 * stack costs, against which the app's figures are ratios.
 *
 * - `GET /__open?name=…` opens a session (untimed setup; answers its cookie);
 * - `GET /` reads the session and renders a small EJS page (a head partial, the user's name,
 *   three tiles) with the view cache on: the home page's ceiling;
 * - `GET /verify` reads the session and answers 204 with a header, or 401: the session-read-only
 *   ceiling of `/auth/verify`.
 *
 * Like the app, no session write on a request that changed nothing (connect-redis `disableTouch`,
 * `resave: false`). It deletes its Redis keys when told to stop or when the load side is gone.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { deleteRedisKeys } from '../test/support/services';
import { installProbes } from './probes';
import { PASSWORD, REDIS_URL } from './settings';

declare module 'express-session' {
  interface SessionData {
    ceilingUser?: { name: string; establishment: string };
  }
}

async function main(): Promise<void> {
  const runId = process.env.BENCH_RUN_ID ?? '';
  if (!/^[0-9a-f]{8}$/.test(runId)) throw new Error(`BENCH_RUN_ID=${runId}: not a bench run id`);
  const prefix = `bench:${runId}:ceiling:`;
  const redis = createClient({ url: REDIS_URL });
  redis.on('error', () => undefined);
  await redis.connect();

  const app = express();
  app.set('view engine', 'ejs');
  app.set('views', path.join(__dirname, 'ceiling-views'));
  app.enable('view cache');
  app.disable('x-powered-by');
  app.use(
    session({
      name: 'ceiling.sid',
      store: new RedisStore({ client: redis, prefix: `${prefix}sess:`, disableTouch: true }),
      secret: randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.get('/__open', (req, res) => {
    req.session.ceilingUser = {
      name: String(req.query.name ?? 'Persona'),
      establishment: 'Hospital de prueba (bench)',
    };
    res.status(204).end();
  });
  app.get('/', (req, res) => {
    const user = req.session.ceilingUser;
    if (!user) return res.redirect(303, '/login');
    res.render('page', { title: 'Inicio', user });
  });
  app.get('/verify', (req, res) => {
    const user = req.session.ceilingUser;
    if (!user) return res.status(401).end();
    res.set('X-HIS-Name', encodeURIComponent(user.name)).status(204).end();
  });

  installProbes(PASSWORD, 'ceiling');
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      server.close();
      server.closeAllConnections();
      await redis.quit().catch(() => undefined);
      await deleteRedisKeys(prefix, REDIS_URL);
    })().finally(() => process.exit(0)));
  process.on('message', (msg: unknown) => msg === 'stop' && void stop());
  process.on('disconnect', () => void stop());
  process.on('SIGINT', () => undefined);
  const server = app.listen(0, '127.0.0.1', () => {
    process.send!({ kind: 'ready', port: (server.address() as AddressInfo).port });
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
