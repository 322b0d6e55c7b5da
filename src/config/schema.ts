import { z } from 'zod';
import { networksSchema } from './networks';
import { privateKeySchema, publicKeysSchema } from './signing-keys';
import { trustProxySchema } from './trust-proxy';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const optionalUrl = z.url().optional();

// A real calendar date: the shape alone let "2027-13-45" through (dayjs rolls it to 2028-02-14).
const isoDate = z.iso.date({ error: 'use a real date in the form YYYY-MM-DD' }).optional();

/**
 * Every environment variable the application reads. Units are in the names; defaults are the
 * development values, and {@link refine} tightens them in production.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(0, 65535).default(3000),
  BASE_URL: z.url().default('http://localhost:3000'),
  TRUST_PROXY: trustProxySchema,
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/his_acceso'),
  DATABASE_POOL_MAX: int(1, 200).default(10),
  // Request statements take milliseconds; 3 s (plus the client's 0.5 s) keeps a hung database's
  // answer within the 5 s a person waits (src/db/sequelize.ts).
  DATABASE_STATEMENT_TIMEOUT_IN_MS: int(100, 600000).default(3000),
  DATABASE_READ_URL: optionalUrl,
  AUDIT_RETENTION_MIN_MONTHS: int(1, 1200).default(12),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default('his:'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_TIMEOUT_IN_MINUTES: int(1, 24 * 60).default(30),
  SESSION_ABSOLUTE_TIMEOUT_IN_HOURS: int(1, 72).default(12),
  // Brute force (see src/config/login-limits.ts); LOCKOUT_* are the older names of the pair limit.
  LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP: int(1, 100).optional(),
  LOCKOUT_MAX_FAILURES: int(1, 100).optional(),
  LOGIN_LOCK_DURATION_IN_MINUTES: int(1, 24 * 60).optional(),
  LOCKOUT_DURATION_IN_MINUTES: int(1, 24 * 60).optional(),
  LOGIN_MAX_LOCK_DURATION_IN_MINUTES: int(1, 24 * 60).default(240),
  LOGIN_FAILURE_WINDOW_IN_MINUTES: int(1, 24 * 60).default(15),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(2, 100_000).default(50),
  LOGIN_MAX_FAILURES_PER_IP: int(1, 1_000_000).default(300),
  LOGIN_IP_BLOCK_DURATION_IN_MINUTES: int(1, 24 * 60).default(5),
  // Password spraying: distinct usernames failing from one source (an IPv6 /64) in a day.
  LOGIN_MAX_FAILING_USERNAMES_PER_DAY: int(1, 1_000_000).default(100),
  LOGIN_TRUSTED_NETWORKS: networksSchema,
  LOGIN_TRUSTED_MAX_FAILURES_PER_IP: int(1, 1_000_000).default(3000),
  LOGIN_TRUSTED_MAX_FAILING_USERNAMES_PER_DAY: int(1, 1_000_000).default(2000),
  COOKIE_SECURE: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EID_PROTOCOL: z.enum(['mitic', 'oidc']).default('mitic'),
  EID_AUTHORIZE_URL: optionalUrl,
  EID_TOKEN_URL: optionalUrl,
  EID_CLIENT_ID: z.string().min(1).optional(),
  EID_CLIENT_SECRET: z.string().min(1).optional(),
  EID_ISSUER: z.string().min(1).optional(),
  EID_AUDIENCE: z.string().min(1).optional(),
  EID_REDIRECT_URI: optionalUrl,
  EID_DOCUMENT_CLAIM: z.string().min(1).default('sub'),
  EID_TIMEOUT_IN_SECONDS: int(1, 120).default(10),
  EID_FLOW_TTL_IN_MINUTES: int(1, 60).default(5),
  EID_STALE_AFTER_MONTHS: int(1, 120).default(3),
  EID_REAUTH_AFTER_MONTHS: int(1, 120).default(6),
  EID_REQUIRED_SINCE: isoDate,
  EID_DEGRADED_MODE: z.enum(['allow', 'deny']).default('allow'),
  // Step-up: the admin and audit areas need an e-ID verification this recent (on in production).
  ADMIN_EID_STEP_UP: bool.optional(),
  ADMIN_EID_MAX_AGE_IN_HOURS: int(1, 72).default(12),
  // Account lifecycle: unused assignments pause, unused accounts are disabled (0 = never).
  ASSIGNMENT_INACTIVE_PAUSE_AFTER_DAYS: int(0, 3650).default(90),
  ACCOUNT_INACTIVE_DISABLE_AFTER_DAYS: int(0, 3650).default(180),
  // Degraded mode is decided on evidence (src/eid/monitor.ts).
  EID_PROBE_INTERVAL_IN_SECONDS: int(1, 3600).default(10),
  EID_DOWN_AFTER_FAILED_PROBES: int(1, 100).default(3),
  EID_DOWN_AFTER_SECONDS: int(0, 3600).default(30),
  // Observability: /metrics and /readyz details (src/areas/health/routes.ts).
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  INTERNAL_PORT: int(1, 65535).optional(),
  // Audit events that cannot reach PostgreSQL wait here, durably, until it returns.
  AUDIT_SPOOL_DIR: z.string().min(1).default('var/audit-spool'),
  // Signed checkpoints of the audit chains, kept outside PostgreSQL (src/domain/audit/checkpoints.ts).
  AUDIT_CHECKPOINT_KEY: privateKeySchema,
  AUDIT_CHECKPOINT_PUBLIC_KEYS: publicKeysSchema,
  AUDIT_CHECKPOINT_DIR: z.string().min(1).default('var/audit-checkpoints'),
  AUDIT_CHECKPOINT_INTERVAL_IN_MINUTES: int(1, 24 * 60).default(15),
  // The OpenID Provider of the HIS modules (src/areas/oidc): its signing keys, a private JWKS
  // (npm run cli -- keys:generate); the first key signs, the others still verify (rotation).
  OIDC_PROVIDER_JWKS: z.string().min(1).optional(),
  // The "Agenda" tile of the home page links here (npm run dev's demo module).
  AGENDA_URL: optionalUrl,
  OIDC_PROVIDER_JWKS_FILE: z.string().min(1).optional(),
  // Redis Sentinel: "host:port,host:port" and the monitored primary's name; REDIS_URL otherwise.
  REDIS_SENTINELS: z
    .string()
    .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'use host:port[,host:port...]')
    .optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('his-acceso'),
});

export type Env = z.infer<typeof envSchema>;
