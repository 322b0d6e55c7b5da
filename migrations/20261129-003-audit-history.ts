import type { MigrationContext } from '../src/db/migrator';

/**
 * The auditors' histories (src/storage/queries/login-history.ts, src/storage/queries/admin-history.ts): newest first
 * on (occurred_at, id), keyset pages, filters. Measured with EXPLAIN (ANALYZE, BUFFERS) on 3
 * million generated login_events (12,000 users, 934 establishments in 18 regiones, skewed so
 * that a few hospitals hold most users) and 300,000 admin_events; buffers read for one page:
 *
 * - `*_keyset_idx (occurred_at DESC, id DESC)`: the order and the keyset condition
 *   `(occurred_at, id) < ($t, $id)` become one index range, first or deep page alike (about 20
 *   buffers). They replace the (occurred_at DESC) indexes, which they contain.
 * - `login_events_failures_idx`, partial on outcome = 'failure': "failed attempts in my región"
 *   walked the whole history's index to find one row in 180 (6,700 buffers); on the failures
 *   alone it finds one in 18 (980). Failures are a tenth of the rows: a small index.
 * - `login_events_reason_idx (reason, occurred_at DESC, id DESC)`, partial: a rare code
 *   (eid_bad_signature, degraded_mode, account_disabled) is what an auditor looks for, and
 *   without it a page of one is a walk through the entire history. The common codes are left
 *   out (a walk finds a page of them within a few hundred rows): 14 MB instead of 129 MB.
 * - `login_events_ip_idx`, `admin_events_ip_idx`: "what happened from this PC" is an exact IP;
 *   without them a page scans every row (the IP is one in hundreds of thousands).
 * - `admin_events_action_idx`: a rare action (regions.rollout) scanned the table (11,400
 *   buffers; 180 with it).
 * - Not added: establishment and user indexes with id (the existing (establishment_id,
 *   occurred_at DESC) and (user_id, occurred_at DESC) ones serve the per-key probes as well,
 *   with an incremental sort for ties: 534 buffers either way); an index on method or outcome
 *   other than failures (every value is a large share: a walk finds a page at once); a trigram
 *   index for partial usernames over the whole history (the filter matches accounts by part of
 *   their name in `users`, and typed names exactly).
 *
 * Built CONCURRENTLY, one statement each, so logins keep being recorded while a large table is
 * indexed (CONCURRENTLY cannot run inside a transaction block). A build that fails leaves an
 * INVALID index: running the migration again drops and rebuilds it (IF EXISTS below).
 */
const INDEXES: [name: string, definition: string][] = [
  ['login_events_keyset_idx', 'login_events (occurred_at DESC, id DESC)'],
  [
    'login_events_failures_idx',
    "login_events (occurred_at DESC, id DESC) WHERE outcome = 'failure'",
  ],
  [
    'login_events_reason_idx',
    `login_events (reason, occurred_at DESC, id DESC) WHERE reason NOT IN
      ('login', 'eid_verified', 'logout', 'establishment_switch', 'idle_timeout', 'absolute_timeout')`,
  ],
  ['login_events_ip_idx', 'login_events (ip, occurred_at DESC, id DESC)'],
  ['admin_events_keyset_idx', 'admin_events (occurred_at DESC, id DESC)'],
  ['admin_events_action_idx', 'admin_events (action, occurred_at DESC, id DESC)'],
  ['admin_events_ip_idx', 'admin_events (ip, occurred_at DESC, id DESC)'],
];

/** Contained in the keyset indexes above. */
const REPLACED: [name: string, definition: string][] = [
  ['login_events_occurred_idx', 'login_events (occurred_at DESC)'],
  ['admin_events_occurred_idx', 'admin_events (occurred_at DESC)'],
];

export async function up({ sequelize }: MigrationContext): Promise<void> {
  for (const [name, definition] of INDEXES) {
    await sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    await sequelize.query(`CREATE INDEX CONCURRENTLY ${name} ON ${definition}`);
  }
  for (const [name] of REPLACED) await sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  for (const [name, definition] of REPLACED)
    await sequelize.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON ${definition}`);
  for (const [name] of INDEXES) await sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}
