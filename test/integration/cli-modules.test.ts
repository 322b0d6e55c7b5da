import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../../src/db/sequelize';
import { runCli } from '../support/cli-process';

/**
 * The OpenID Provider's operator commands as run from the shell: `client:add` registers a module
 * through its command (audited, the secret printed once and never audited), `client:disable`,
 * `client:rotate-secret`, and `keys:generate` prints a JWKS the configuration accepts.
 */
jest.setTimeout(60_000);

const cli = (args: string[]) => runCli(args, { timeoutMs: 30_000 });
let db: Sequelize;
beforeAll(() => {
  db = createSequelize({
    url: process.env.TEST_DATABASE_URL!,
    poolMax: 2,
    statementTimeoutInMs: 30000,
  });
});
afterAll(() => db.close());

const lineOf = (out: string, name: string) =>
  new RegExp(`^${name}: (\\S+)$`, 'm').exec(out)?.[1] ?? null;

it('when an operator registers a module then client_id and client_secret are printed on lines of their own and the registration is audited without the secret', async () => {
  const res = cli([
    'client:add',
    '--name',
    'Laboratorio',
    '--redirect-uri',
    'https://lab.example.gov.py/callback',
    '--redirect-uri',
    'https://lab.example.gov.py/callback2',
    '--backchannel-logout-uri',
    'https://lab.example.gov.py/backchannel',
  ]);
  expect(res.status).toBe(0);
  const clientId = lineOf(res.stdout, 'client_id');
  const secret = lineOf(res.stdout, 'client_secret');
  expect(clientId).toMatch(/^his-[a-z0-9]+$/);
  expect(secret).toMatch(/^[\w-]{43}$/);
  const [row] = await db.query<{ redirect_uris: string[]; enabled: boolean }>(
    'SELECT redirect_uris, enabled FROM oidc_clients WHERE client_id = $1',
    { bind: [clientId], type: QueryTypes.SELECT },
  );
  expect(row).toEqual({
    redirect_uris: ['https://lab.example.gov.py/callback', 'https://lab.example.gov.py/callback2'],
    enabled: true,
  });
  const [event] = await db.query<{ actor_username: string; details: Record<string, unknown> }>(
    `SELECT actor_username, details FROM admin_events
      WHERE action = 'modules.register' AND target_id = $1`,
    { bind: [clientId], type: QueryTypes.SELECT },
  );
  expect(event!.actor_username).toMatch(/^cli:/);
  expect(JSON.stringify(event!.details)).not.toContain(secret!);

  const rotated = cli(['client:rotate-secret', clientId!]);
  expect(rotated.status).toBe(0);
  expect(lineOf(rotated.stdout, 'client_secret')).not.toBe(secret);
  const disabled = cli(['client:disable', clientId!]);
  expect(disabled.status).toBe(0);
  const [after] = await db.query<{ enabled: boolean }>(
    'SELECT enabled FROM oidc_clients WHERE client_id = $1',
    { bind: [clientId], type: QueryTypes.SELECT },
  );
  expect(after!.enabled).toBe(false);
});

it('when a redirect URI is not an absolute URL then the option is named with the reason and nothing is registered', async () => {
  const res = cli(['client:add', '--name', 'Farmacia', '--redirect-uri', '/callback#x']);
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain(
    '--redirect-uri: La dirección de retorno debe ser una URL http(s) completa, sin «#».',
  );
  const [row] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM oidc_clients WHERE name = 'Farmacia'",
    { type: QueryTypes.SELECT },
  );
  expect(row!.n).toBe(0);
});

it('when keys:generate runs then it prints an OIDC_PROVIDER_JWKS line with a private ES256 key and its kid', () => {
  const res = cli(['keys:generate']);
  expect(res.status).toBe(0);
  const json = /^OIDC_PROVIDER_JWKS='(.+)'$/m.exec(res.stdout)![1]!;
  const { keys } = JSON.parse(json) as { keys: Record<string, string>[] };
  expect(keys).toHaveLength(1);
  expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  expect(keys[0]!.d).toBeTruthy();
  expect(keys[0]!.kid).toBeTruthy();
});
