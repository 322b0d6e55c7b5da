import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { envSchema } from '../../src/config/schema';

type Env = Record<string, string | undefined>;

/** The ConfigError thrown for `env`; fails the test when loading succeeds. */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

/** A complete production environment; each test spoils one variable. */
const production: Env = {
  NODE_ENV: 'production',
  BASE_URL: 'https://his.mspbs.gov.py',
  SESSION_SECRET: 'production-session-secret-0123456789abcdef',
  EID_AUTHORIZE_URL: 'https://eid.example.gov.py/login',
  EID_TOKEN_URL: 'https://eid.example.gov.py/rest/authentication',
  EID_CLIENT_ID: '118',
  EID_CLIENT_SECRET: 'client-secret-that-must-never-be-printed',
  EID_ISSUER: 'mitic',
};

describe('loadConfig: defaults', () => {
  it('when nothing is set then the development defaults load', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.baseUrl).toBe('http://localhost:3000');
    expect(config.session.cookieSecure).toBe(false);
    expect(config.session.secret.length).toBeGreaterThanOrEqual(32);
    expect(config.eid).toMatchObject({
      protocol: 'mitic',
      documentClaim: 'sub',
      timeoutInSeconds: 10,
      staleAfterMonths: 3,
      reauthAfterMonths: 6,
      requiredSince: null,
    });
  });

  it('when a variable is set to an empty string then its default applies', () => {
    expect(loadConfig({ PORT: '', EID_STALE_AFTER_MONTHS: '' }).port).toBe(3000);
  });

  it('when numbers are given then they are parsed', () => {
    const config = loadConfig({ PORT: '8080', EID_REAUTH_AFTER_MONTHS: '12' });
    expect(config.port).toBe(8080);
    expect(config.eid.reauthAfterMonths).toBe(12);
  });

  it('when a complete production environment is given then it loads', () => {
    const config = loadConfig(production);
    expect(config.env).toBe('production');
    expect(config.eid.clientSecret).toBe(production.EID_CLIENT_SECRET);
  });
});

describe('loadConfig: one-line messages naming the variable', () => {
  it('when EID_STALE_AFTER_MONTHS is not a number then the message names it on one line', () => {
    const { message } = configError({ EID_STALE_AFTER_MONTHS: 'abc' });
    expect(message).toContain('EID_STALE_AFTER_MONTHS');
    expect(message).not.toMatch(/[\r\n]/);
  });

  it('when a value holds a line break then the message still fits on one line', () => {
    const { message } = configError({ EID_PROTOCOL: 'mitic\nsaml' });
    expect(message).toContain('EID_PROTOCOL');
    expect(message).not.toMatch(/[\r\n]/);
  });

  it.each(['abc', '70000', '-1', '80.5'])('when PORT is %s then it is refused', (port) => {
    expect(configError({ PORT: port }).message).toContain('PORT');
  });

  it('when EID_PROTOCOL is unknown then it is refused', () => {
    expect(configError({ EID_PROTOCOL: 'saml' }).message).toContain('EID_PROTOCOL');
  });

  it.each(['2027-13-45', '2027-02-30', '2027-02-29', '2027-3-1', '01/03/2027'])(
    'when EID_REQUIRED_SINCE is %s then it is refused',
    (date) => {
      expect(configError({ EID_REQUIRED_SINCE: date }).message).toContain('EID_REQUIRED_SINCE');
    },
  );

  it('when EID_REQUIRED_SINCE is a real date (a leap day) then it is kept', () => {
    expect(loadConfig({ EID_REQUIRED_SINCE: '2028-02-29' }).eid.requiredSince).toBe('2028-02-29');
  });

  it('when COOKIE_SECURE is not a boolean word then it is refused', () => {
    expect(configError({ COOKIE_SECURE: 'maybe' }).message).toContain('COOKIE_SECURE');
  });

  it('when EID_STALE_AFTER_MONTHS exceeds EID_REAUTH_AFTER_MONTHS then it is refused', () => {
    const { message } = configError({ EID_STALE_AFTER_MONTHS: '7', EID_REAUTH_AFTER_MONTHS: '6' });
    expect(message).toContain('EID_STALE_AFTER_MONTHS');
    expect(message).toContain('EID_REAUTH_AFTER_MONTHS');
  });

  it('when EID_STALE_AFTER_MONTHS equals EID_REAUTH_AFTER_MONTHS then it loads', () => {
    const config = loadConfig({ EID_STALE_AFTER_MONTHS: '6', EID_REAUTH_AFTER_MONTHS: '6' });
    expect(config.eid.staleAfterMonths).toBe(6);
  });

  it('when a secret is malformed then the message names it without printing it', () => {
    const { message } = configError({ SESSION_SECRET: 'short-secret' });
    expect(message).toContain('SESSION_SECRET');
    expect(message).not.toContain('short-secret');
  });

  it('when DATABASE_URL is malformed then the message names it without printing its password', () => {
    const { message } = configError({ DATABASE_URL: 'postgres://his:hunter2@db host/his' });
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });
});

describe('loadConfig: production', () => {
  it('when SESSION_SECRET is missing in production then the message names it', () => {
    const { message } = configError({ ...production, SESSION_SECRET: undefined });
    expect(message).toContain('SESSION_SECRET');
    expect(message).not.toMatch(/[\r\n]/);
  });

  it('when the e-ID client secret is missing in production then the message names it', () => {
    expect(configError({ ...production, EID_CLIENT_SECRET: undefined }).message).toContain(
      'EID_CLIENT_SECRET',
    );
  });

  it('when EID_TOKEN_URL is plain http in production then it is refused by name', () => {
    const { message } = configError({
      ...production,
      EID_TOKEN_URL: 'http://eid.example.gov.py/rest/authentication',
    });
    expect(message).toContain('EID_TOKEN_URL');
    expect(message).toContain('https');
  });

  it('when BASE_URL is plain http in production then it is refused by name', () => {
    expect(configError({ ...production, BASE_URL: 'http://his.mspbs.gov.py' }).message).toContain(
      'BASE_URL',
    );
  });

  it('when the OIDC issuer is plain http in production then it is refused by name', () => {
    const oidc = { ...production, EID_PROTOCOL: 'oidc', EID_ISSUER: 'http://eid.example.gov.py' };
    expect(configError(oidc).message).toContain('EID_ISSUER');
  });

  it('when plain-http e-ID URLs are used outside production then they are accepted (sandbox)', () => {
    const config = loadConfig({ EID_TOKEN_URL: 'http://localhost:3100/rest/authentication' });
    expect(config.eid.tokenUrl).toBe('http://localhost:3100/rest/authentication');
  });
});

describe('loadConfig: derived values', () => {
  it('when COOKIE_SECURE is unset then it is on in production and off in development', () => {
    expect(loadConfig(production).session.cookieSecure).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).session.cookieSecure).toBe(false);
  });

  it('when COOKIE_SECURE is given then it is forced either way', () => {
    expect(loadConfig({ ...production, COOKIE_SECURE: 'false' }).session.cookieSecure).toBe(false);
    expect(loadConfig({ COOKIE_SECURE: 'true' }).session.cookieSecure).toBe(true);
  });

  it('when EID_AUDIENCE is unset then it defaults to the client id', () => {
    expect(loadConfig({ EID_CLIENT_ID: '118' }).eid.audience).toBe('118');
    expect(loadConfig({ EID_CLIENT_ID: '118', EID_AUDIENCE: 'his' }).eid.audience).toBe('his');
  });

  it('when EID_REDIRECT_URI is unset then it is BASE_URL + /auth/eid/callback', () => {
    const config = loadConfig({ BASE_URL: 'https://his.mspbs.gov.py/' });
    expect(config.baseUrl).toBe('https://his.mspbs.gov.py');
    expect(config.eid.redirectUri).toBe('https://his.mspbs.gov.py/auth/eid/callback');
    const explicit = loadConfig({ EID_REDIRECT_URI: 'https://other.example/cb' });
    expect(explicit.eid.redirectUri).toBe('https://other.example/cb');
  });
});

describe('boot with a bad variable (real process)', () => {
  it('when EID_STALE_AFTER_MONTHS=abc then the process exits 1 with one line naming it', () => {
    const root = path.resolve(__dirname, '../..');
    const bin = path.join(root, 'node_modules/.bin');
    // Only the variable under test: none of the caller's configuration leaks into the child.
    const configNames = new Set(Object.keys(envSchema.shape));
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !configNames.has(name)),
    );
    const child = spawnSync(path.join(bin, 'tsx'), ['src/main.ts'], {
      cwd: root,
      env: {
        ...inherited,
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
        EID_STALE_AFTER_MONTHS: 'abc',
      },
      encoding: 'utf8',
      // Starting tsx and the app's imports takes seconds on a busy machine (CI runs the suite in parallel).
      timeout: 60_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(1);
    const lines = child.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('EID_STALE_AFTER_MONTHS');
  }, 90_000);
});

describe('loadConfig: audit read replica and retention', () => {
  it('when neither is set then the audit reads the primary and keeps at least 12 months', () => {
    const config = loadConfig({});
    expect(config.database.readUrl).toBeNull();
    expect(config.audit.retentionMinMonths).toBe(12);
  });

  it('when DATABASE_READ_URL and AUDIT_RETENTION_MIN_MONTHS are set then they are used', () => {
    const config = loadConfig({
      DATABASE_READ_URL: 'postgres://auditor@replica.internal:5432/his_acceso',
      AUDIT_RETENTION_MIN_MONTHS: '60',
    });
    expect(config.database.readUrl).toBe('postgres://auditor@replica.internal:5432/his_acceso');
    expect(config.audit.retentionMinMonths).toBe(60);
  });

  it('when DATABASE_READ_URL is malformed then the message names it without echoing it', () => {
    const err = configError({ DATABASE_READ_URL: 'postgres//lector:s3creto@replica' });
    expect(err.message).toMatch(/^Invalid configuration: DATABASE_READ_URL \(value hidden\): /);
    expect(err.message).not.toContain('s3creto');
  });

  it.each(['0', '12.5', 'doce'])(
    'when AUDIT_RETENTION_MIN_MONTHS=%s then the message names it',
    (value) => {
      expect(configError({ AUDIT_RETENTION_MIN_MONTHS: value }).message).toMatch(
        /^Invalid configuration: AUDIT_RETENTION_MIN_MONTHS=/,
      );
    },
  );
});

describe('loadConfig: observability, e-ID probes, spool and Redis Sentinel', () => {
  it('when nothing is set in development then /metrics is open and the probe defaults load', () => {
    const config = loadConfig({});
    expect(config.observability).toEqual({ metricsToken: null, internalPort: null, open: true });
    expect(config.eid.probe).toEqual({
      intervalInSeconds: 10,
      downAfterFailedProbes: 3,
      downAfterSeconds: 30,
    });
    expect(config.audit.spoolDir).toBe('var/audit-spool');
    expect(config.redis.sentinel).toBeNull();
  });

  it('when production sets neither a token nor an internal port then /metrics is closed', () => {
    expect(loadConfig(production).observability.open).toBe(false);
    expect(loadConfig({ ...production, INTERNAL_PORT: '9100' }).observability).toEqual({
      metricsToken: null,
      internalPort: 9100,
      open: false,
    });
  });

  it('when a metrics token is given in development then it is required there too, and never echoed', () => {
    const token = 'a-metrics-token-of-enough-length';
    expect(loadConfig({ METRICS_TOKEN: token }).observability).toMatchObject({
      metricsToken: token,
      open: false,
    });
    const { message } = configError({ METRICS_TOKEN: 'short-token' });
    expect(message).toContain('METRICS_TOKEN (value hidden)');
    expect(message).not.toContain('short-token');
  });

  it('when REDIS_SENTINELS lists nodes then they are parsed; a malformed list is refused by name', () => {
    expect(
      loadConfig({ REDIS_SENTINELS: '10.0.0.1:26379,redis-b:26380', REDIS_SENTINEL_NAME: 'his' })
        .redis.sentinel,
    ).toEqual({
      name: 'his',
      nodes: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'redis-b', port: 26380 },
      ],
    });
    expect(configError({ REDIS_SENTINELS: '10.0.0.1' }).message).toContain('REDIS_SENTINELS');
  });
});

describe('loadConfig: the login limits of trusted networks', () => {
  it('when LOGIN_TRUSTED_NETWORKS lists CIDR ranges of both families then they load with the higher limits', () => {
    const config = loadConfig({ LOGIN_TRUSTED_NETWORKS: '181.120.10.0/24, 2800:a0::/48' });
    expect(config.lockout.trustedNetworks).toEqual([
      { address: '181.120.10.0', prefix: 24, family: 'ipv4' },
      { address: '2800:a0::', prefix: 48, family: 'ipv6' },
    ]);
    expect(config.lockout.maxFailingUsernamesPerDay).toBe(100);
    expect(config.lockout.trusted).toEqual({
      maxFailuresPerIp: 3000,
      maxFailingUsernamesPerDay: 2000,
    });
  });

  it.each(['181.120.10.0', '181.120.10.0/33', 'hospital/24', '10.0.0.0/8/1'])(
    'when LOGIN_TRUSTED_NETWORKS has %j then the message names the variable',
    (value) => {
      expect(configError({ LOGIN_TRUSTED_NETWORKS: value }).message).toContain(
        'LOGIN_TRUSTED_NETWORKS',
      );
    },
  );
});

describe('loadConfig: step-up for the admin and audit areas', () => {
  it('when nothing is set then it is off outside production, with 12 hours', () => {
    expect(loadConfig({}).adminStepUp).toEqual({ enabled: false, maxAgeInHours: 12 });
  });

  it('when ADMIN_EID_STEP_UP and ADMIN_EID_MAX_AGE_IN_HOURS are set then they are used', () => {
    expect(
      loadConfig({ ADMIN_EID_STEP_UP: 'true', ADMIN_EID_MAX_AGE_IN_HOURS: '4' }).adminStepUp,
    ).toEqual({ enabled: true, maxAgeInHours: 4 });
    expect(configError({ ADMIN_EID_MAX_AGE_IN_HOURS: '0' }).message).toContain(
      'ADMIN_EID_MAX_AGE_IN_HOURS',
    );
  });
});

it('when running in production then the step-up is on unless turned off', () => {
  expect(loadConfig(production).adminStepUp.enabled).toBe(true);
  expect(loadConfig({ ...production, ADMIN_EID_STEP_UP: 'false' }).adminStepUp.enabled).toBe(false);
});

describe('the OpenID Provider keys', () => {
  const key = {
    kty: 'EC',
    crv: 'P-256',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
    kid: 'k1',
  };

  it('when OIDC_PROVIDER_JWKS holds private keys with a kid then they load, the first signing', () => {
    const config = loadConfig({ OIDC_PROVIDER_JWKS: JSON.stringify({ keys: [key] }) });
    expect(config.oidcProvider.jwks?.keys).toEqual([key]);
    expect(loadConfig({}).oidcProvider.jwks).toBeNull();
  });

  it('when the JWKS is not JSON, lacks a kid or holds only a public key then the message says how to make one', () => {
    for (const value of [
      'nope',
      JSON.stringify({ keys: [{ ...key, kid: undefined }] }),
      JSON.stringify({ keys: [{ ...key, d: undefined }] }),
    ])
      expect(configError({ OIDC_PROVIDER_JWKS: value }).message).toMatch(/OIDC_PROVIDER_JWKS/);
    expect(
      configError({ OIDC_PROVIDER_JWKS: JSON.stringify({ keys: [{ ...key, d: undefined }] }) })
        .message,
    ).toContain('npm run cli -- keys:generate');
  });
});
