/**
 * `npm run bench:oidc`: HIS Acceso's OpenID Provider token endpoint (src/areas/oidc) against a
 * bare `oidc-provider` with the same configuration essentials (code flow, PKCE, ES256, the same
 * Redis adapter on the same Redis) and one static client — the library's own cost, the baseline.
 * Both listen on 127.0.0.1 in this process; autocannon sends the same request to each in turn:
 * a confidential client's authorization-code exchange with a code that is not there (HTTP Basic
 * client authentication, the code looked up in Redis, the `invalid_grant` answer). That is the
 * fixed part of every token request; what ours adds is Express in front and the client read
 * from PostgreSQL on each request (a disabled module stops at once). Printed: medians of
 * requests per second over BENCH_ROUNDS rounds of BENCH_SECONDS, and ours ÷ bare.
 *
 * Not measured here: the successful exchange (ID token signing dominates it and is the
 * library's, the same in both), and the back-channel logout fan-out.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { loadConfig } from '../src/config';
import { createSequelize } from '../src/db/sequelize';
import { createMigrator } from '../src/db/migrator';
import { createLogger } from '../src/shared/logger';
import { createRedisClient } from '../src/redis/client';
import { createRepositories } from '../src/storage/repositories';
import { createOidcRedisAdapter } from '../src/redis/oidc-adapter';
import { registerModule } from '../src/domain/modules/commands/register';
import { cliActor, CLI_META } from '../src/cli/actor';
import { systemClock } from '../src/shared/clock';
import { standaloneApp } from '../test/support/standalone-app';
import { adminQuery, deleteRedisKeys } from '../test/support/services';
import { autocannon, type Result } from './autocannon';
import { databaseUrl, PG_ADMIN_URL, positiveInt, REDIS_URL } from './settings';

const SECONDS = positiveInt('BENCH_SECONDS', 5);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 20);
const REDIRECT = 'https://agenda.example.gov.py/callback';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

/** Requests per second of the refused code exchange against `url` for SECONDS. */
function load(url: string, clientId: string, secret: string): Promise<number> {
  const basic = Buffer.from(`${clientId}:${secret}`).toString('base64');
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: 'no-such-code-0123456789abcdefghijklmnopqrstuv',
    redirect_uri: REDIRECT,
    code_verifier: 'v'.repeat(43),
  }).toString();
  return new Promise((resolve, reject) => {
    let ok = 0;
    const run = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [
          {
            method: 'POST',
            headers: {
              authorization: `Basic ${basic}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body,
          },
        ],
      },
      (err: Error | null, result: Result) =>
        // autocannon's duration is in seconds.
        err ? reject(err) : resolve(ok / (result.duration || SECONDS)),
    );
    run.on('response', (_client: unknown, status: number) => {
      if (status === 400) ok++;
    });
  });
}

async function main(): Promise<void> {
  const runId = randomBytes(4).toString('hex');
  const dbName = `his_acceso_bench_oidc_${runId}`;
  const prefix = `bench-oidc:${runId}:`;
  await adminQuery(`CREATE DATABASE ${dbName}`, PG_ADMIN_URL);
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const key = { ...jwk, alg: 'ES256', use: 'sig', kid: await calculateJwkThumbprint(jwk) };
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl(dbName),
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
    OIDC_PROVIDER_JWKS: JSON.stringify({ keys: [key] }),
  });
  const logger = createLogger('silent');
  const sequelize = createSequelize(config.database);
  const redis = createRedisClient(config.redis.url, logger);
  const servers: Server[] = [];
  try {
    await createMigrator(sequelize).up();
    await redis.connect();
    const repos = createRepositories(sequelize);
    const client = await registerModule({ repos, clock: systemClock })(
      cliActor('bench'),
      { name: 'Bench', redirectUris: [REDIRECT] },
      CLI_META,
    );

    // Ours: the whole app, its provider at /oidc.
    const ours = createServer(standaloneApp({ config, logger, sequelize, redis }).app);
    servers.push(ours);
    const oursUrl = `${await listen(ours)}/oidc/token`;

    // The baseline: the library alone, the same adapter and Redis, the client in its config.
    const { default: Provider } = await import('oidc-provider');
    const bareServer = createServer();
    servers.push(bareServer);
    const bareBase = await listen(bareServer);
    const bare = new Provider(bareBase, {
      adapter: createOidcRedisAdapter(redis, `${prefix}bare:`) as never,
      clients: [
        {
          client_id: client.clientId,
          client_secret: client.clientSecret,
          redirect_uris: [REDIRECT],
          response_types: ['code'],
          grant_types: ['authorization_code'],
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: [key] as never },
      pkce: { required: () => true },
      responseTypes: ['code'],
      features: { devInteractions: { enabled: false } },
    });
    bareServer.on('request', bare.callback());
    const bareUrl = `${bareBase}/token`;

    // Warm-up (JIT, pools, the provider built at its first request).
    await load(oursUrl, client.clientId, client.clientSecret);
    await load(bareUrl, client.clientId, client.clientSecret);
    const oursRps: number[] = [];
    const bareRps: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bareRps.push(await load(bareUrl, client.clientId, client.clientSecret));
      oursRps.push(await load(oursUrl, client.clientId, client.clientSecret));
    }
    const o = median(oursRps);
    const b = median(bareRps);
    console.log(
      [
        `Token endpoint, refused code exchange (${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s, medians):`,
        `  bare oidc-provider (same Redis adapter): ${b.toFixed(0)} req/s`,
        `  HIS Acceso /oidc/token:                  ${o.toFixed(0)} req/s`,
        `  ratio ours ÷ bare: ${(o / b).toFixed(2)}`,
      ].join('\n'),
    );
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await sequelize.close();
    await deleteRedisKeys(prefix, REDIS_URL);
    if (redis.isOpen) await redis.quit();
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`, PG_ADMIN_URL);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
