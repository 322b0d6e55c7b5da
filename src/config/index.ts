import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { envSchema } from './schema';
import { loginLimits, type LoginLimits } from './login-limits';

/** Typed, validated configuration. Built once by {@link loadConfig}; nothing else reads the environment. */
export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  baseUrl: string;
  /** Express `trust proxy`: the proxies whose X-Forwarded-For is believed (empty: none). */
  trustProxy: string[];
  database: {
    url: string;
    poolMax: number;
    statementTimeoutInMs: number;
    /** A read replica for the audit screens and exports; null: they read the primary. */
    readUrl: string | null;
  };
  /** `audit:purge` refuses cutoffs less than this many calendar months ago. */
  audit: {
    retentionMinMonths: number;
    /** Where audit events wait, durably, while PostgreSQL cannot take them. */
    spoolDir: string;
    /**
     * Signed checkpoints of both chains, written outside PostgreSQL (`dir`) every
     * `intervalInMinutes`; `key` null: none. `publicKeys`: earlier keys, still verified.
     */
    checkpoints: {
      key: KeyObject | null;
      publicKeys: KeyObject[];
      dir: string;
      intervalInMinutes: number;
    };
  };
  redis: {
    url: string;
    keyPrefix: string;
    /** Redis Sentinel: the sentinels and the primary's name; null: REDIS_URL directly. */
    sentinel: { name: string; nodes: { host: string; port: number }[] } | null;
  };
  /**
   * /metrics and /readyz details: behind this bearer token and/or on INTERNAL_PORT only.
   * `open` (never in production): served on the public port without a token.
   */
  observability: { metricsToken: string | null; internalPort: number | null; open: boolean };
  session: {
    secret: string;
    idleTimeoutInMinutes: number;
    absoluteTimeoutInHours: number;
    cookieSecure: boolean;
  };
  /**
   * Step-up for the powerful: with `enabled`, the admin and audit areas need a session opened or
   * re-verified with the e-ID within `maxAgeInHours` (Keycloak's step-up authentication).
   */
  adminStepUp: { enabled: boolean; maxAgeInHours: number };
  /**
   * Inactivity (0 = off): an establishment assignment not chosen at login for
   * `assignmentPauseAfterDays` is paused (not offered; never the last one chosen), an account
   * without a login for `accountDisableAfterDays` is disabled by a daily job.
   */
  inactivity: { assignmentPauseAfterDays: number; accountDisableAfterDays: number };
  /**
   * The OpenID Provider (/oidc): its private signing keys as a JWKS (the first signs, the rest
   * verify tokens signed before a rotation); null: none configured (development generates a
   * throwaway key; production serves no provider).
   */
  oidcProvider: { jwks: { keys: Record<string, unknown>[] } | null };
  /** The "Agenda" module's address: its home-page tile becomes a link (null: a plain tile). */
  agendaUrl: string | null;
  /** Brute-force limits; `maxFailures`/`durationInMinutes` are the per account-and-IP lock. */
  lockout: LoginLimits;
  logLevel: string;
  eid: {
    protocol: 'mitic' | 'oidc';
    authorizeUrl: string;
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    issuer: string;
    audience: string;
    redirectUri: string;
    documentClaim: string;
    timeoutInSeconds: number;
    flowTtlInMinutes: number;
    staleAfterMonths: number;
    reauthAfterMonths: number;
    requiredSince: string | null;
    degradedMode: 'allow' | 'deny';
    /** The provider is "down" after this many consecutive failed probes over at least this long. */
    probe: { intervalInSeconds: number; downAfterFailedProbes: number; downAfterSeconds: number };
  };
}

/** Thrown when a variable is missing or malformed; the message names the variable. */
export class ConfigError extends Error {}

const DEV_SESSION_SECRET = 'development-only-secret-not-for-production-use';
/** The local e-ID sandbox (npm run sandbox) is the provider outside production. */
const SANDBOX_URL = 'http://localhost:3100';

/** Boot messages land in shared logs: secrets and credential-bearing URLs are never echoed. */
const SENSITIVE = /SECRET|PASSWORD|TOKEN|_KEY$|^DATABASE_(READ_)?URL$|^REDIS_URL$/;

/** `=value` for the message, escaped so that it stays on one line, or a note that it is hidden. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (SENSITIVE.test(name)) return ' (value hidden)';
  return `=${JSON.stringify(value).slice(1, -1)}`;
}

/**
 * Validates the environment and returns the configuration, or throws a {@link ConfigError}
 * whose message is one line naming the offending variable.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(
      `Invalid configuration: ${name}${shown(name, raw[name])}: ${issue.message}`,
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const need = (name: keyof typeof e, value: string | undefined, fallback: string): string => {
    if (value !== undefined) return value;
    if (production)
      throw new ConfigError(`Invalid configuration: ${name} is required in production`);
    return fallback;
  };

  const secret = need('SESSION_SECRET', e.SESSION_SECRET, DEV_SESSION_SECRET);
  const baseUrl = e.BASE_URL.replace(/\/$/, '');
  const eidProtocol = e.EID_PROTOCOL;
  const sandboxBase = eidProtocol === 'oidc' ? `${SANDBOX_URL}/oidc` : SANDBOX_URL;
  const clientId = need('EID_CLIENT_ID', e.EID_CLIENT_ID, 'his-acceso-dev');
  const eid: Config['eid'] = {
    protocol: eidProtocol,
    // With OIDC the endpoints come from discovery; these override nothing and may stay empty.
    authorizeUrl:
      eidProtocol === 'oidc'
        ? (e.EID_AUTHORIZE_URL ?? '')
        : need('EID_AUTHORIZE_URL', e.EID_AUTHORIZE_URL, `${SANDBOX_URL}/login`),
    tokenUrl:
      eidProtocol === 'oidc'
        ? (e.EID_TOKEN_URL ?? '')
        : need('EID_TOKEN_URL', e.EID_TOKEN_URL, `${SANDBOX_URL}/rest/authentication`),
    clientId,
    clientSecret: need(
      'EID_CLIENT_SECRET',
      e.EID_CLIENT_SECRET,
      'his-acceso-dev-secret-change-me-0123456789',
    ),
    issuer: need(
      'EID_ISSUER',
      e.EID_ISSUER,
      eidProtocol === 'oidc' ? sandboxBase : 'sandbox-mitic',
    ),
    audience: e.EID_AUDIENCE ?? clientId,
    redirectUri: e.EID_REDIRECT_URI ?? `${baseUrl}/auth/eid/callback`,
    documentClaim: e.EID_DOCUMENT_CLAIM,
    timeoutInSeconds: e.EID_TIMEOUT_IN_SECONDS,
    flowTtlInMinutes: e.EID_FLOW_TTL_IN_MINUTES,
    staleAfterMonths: e.EID_STALE_AFTER_MONTHS,
    reauthAfterMonths: e.EID_REAUTH_AFTER_MONTHS,
    requiredSince: e.EID_REQUIRED_SINCE ?? null,
    degradedMode: e.EID_DEGRADED_MODE,
    probe: {
      intervalInSeconds: e.EID_PROBE_INTERVAL_IN_SECONDS,
      downAfterFailedProbes: e.EID_DOWN_AFTER_FAILED_PROBES,
      downAfterSeconds: e.EID_DOWN_AFTER_SECONDS,
    },
  };
  if (eid.staleAfterMonths > eid.reauthAfterMonths) {
    throw new ConfigError(
      `Invalid configuration: EID_STALE_AFTER_MONTHS=${eid.staleAfterMonths}: must not exceed EID_REAUTH_AFTER_MONTHS`,
    );
  }
  if (production) {
    for (const [name, url] of [
      ['BASE_URL', baseUrl],
      ['EID_AUTHORIZE_URL', eid.authorizeUrl],
      ['EID_TOKEN_URL', eid.tokenUrl],
      ['EID_ISSUER', eid.protocol === 'oidc' ? eid.issuer : 'https://'],
    ] as const) {
      if (url && !url.startsWith('https://'))
        throw new ConfigError(
          `Invalid configuration: ${name}${shown(name, url)}: must use https in production`,
        );
    }
  }

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    baseUrl,
    trustProxy: e.TRUST_PROXY,
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutInMs: e.DATABASE_STATEMENT_TIMEOUT_IN_MS,
      readUrl: e.DATABASE_READ_URL ?? null,
    },
    audit: {
      retentionMinMonths: e.AUDIT_RETENTION_MIN_MONTHS,
      spoolDir: e.AUDIT_SPOOL_DIR,
      checkpoints: {
        key: e.AUDIT_CHECKPOINT_KEY,
        publicKeys: e.AUDIT_CHECKPOINT_PUBLIC_KEYS,
        dir: e.AUDIT_CHECKPOINT_DIR,
        intervalInMinutes: e.AUDIT_CHECKPOINT_INTERVAL_IN_MINUTES,
      },
    },
    redis: {
      url: e.REDIS_URL,
      keyPrefix: e.REDIS_KEY_PREFIX,
      sentinel: e.REDIS_SENTINELS
        ? {
            name: e.REDIS_SENTINEL_NAME,
            nodes: e.REDIS_SENTINELS.split(',').map((node) => {
              const [host, port] = node.split(':');
              return { host: host!, port: Number(port) };
            }),
          }
        : null,
    },
    observability: {
      metricsToken: e.METRICS_TOKEN ?? null,
      internalPort: e.INTERNAL_PORT ?? null,
      // Development and tests serve them openly; production only with a token or internal port.
      open: !production && !e.METRICS_TOKEN && !e.INTERNAL_PORT,
    },
    session: {
      secret,
      idleTimeoutInMinutes: e.SESSION_IDLE_TIMEOUT_IN_MINUTES,
      absoluteTimeoutInHours: e.SESSION_ABSOLUTE_TIMEOUT_IN_HOURS,
      cookieSecure: e.COOKIE_SECURE ?? production,
    },
    adminStepUp: {
      enabled: e.ADMIN_EID_STEP_UP ?? production,
      maxAgeInHours: e.ADMIN_EID_MAX_AGE_IN_HOURS,
    },
    inactivity: {
      assignmentPauseAfterDays: e.ASSIGNMENT_INACTIVE_PAUSE_AFTER_DAYS,
      accountDisableAfterDays: e.ACCOUNT_INACTIVE_DISABLE_AFTER_DAYS,
    },
    oidcProvider: { jwks: providerJwks(e.OIDC_PROVIDER_JWKS, e.OIDC_PROVIDER_JWKS_FILE) },
    agendaUrl: e.AGENDA_URL ?? null,
    lockout: loginLimits(e, (message) => {
      throw new ConfigError(`Invalid configuration: ${message}`);
    }),
    logLevel: e.LOG_LEVEL,
    eid,
  };
}

/** OIDC_PROVIDER_JWKS (or the file OIDC_PROVIDER_JWKS_FILE names): private keys with a `kid`. */
function providerJwks(
  inline: string | undefined,
  file: string | undefined,
): { keys: Record<string, unknown>[] } | null {
  const text = inline ?? (file ? readFileSync(file, 'utf8') : undefined);
  if (text === undefined) return null;
  let jwks: unknown;
  try {
    jwks = JSON.parse(text);
  } catch {
    throw new ConfigError('Invalid configuration: OIDC_PROVIDER_JWKS must be a JSON JWKS');
  }
  const keys = (jwks as { keys?: unknown }).keys;
  if (
    !Array.isArray(keys) ||
    keys.length === 0 ||
    !keys.every(
      (k) =>
        typeof k === 'object' &&
        k !== null &&
        typeof (k as { kid?: unknown }).kid === 'string' &&
        typeof (k as { d?: unknown }).d === 'string' &&
        ['EC', 'RSA'].includes((k as { kty?: string }).kty ?? ''),
    )
  )
    throw new ConfigError(
      'Invalid configuration: OIDC_PROVIDER_JWKS needs private EC or RSA keys, each with a kid (npm run cli -- keys:generate)',
    );
  return { keys: keys as Record<string, unknown>[] };
}
