import pg from 'pg';
import { Sequelize } from 'sequelize';
import type { Config } from '../config';

/** A server that accepts the TCP connection but never answers (hung) fails the connect this soon. */
const CONNECT_TIMEOUT_MS = 2000;
/**
 * How long a request waits for a free pooled connection before it gets the 503 page: long enough
 * for a login burst queueing on the audit chains' lock, short enough for the 5 s budget.
 */
const ACQUIRE_TIMEOUT_MS = 3500;
/** The client stops waiting this long after the server's own statement_timeout should have fired. */
const CLIENT_MARGIN_MS = 500;
/** A transaction left open by a stalled client stops holding its locks (the audit chains') then. */
const IDLE_IN_TRANSACTION_MS = 30_000;

/**
 * node-postgres' Client, except that once Sequelize marks a connection invalid — after the
 * client-side query_timeout, when the server never answered — the socket is closed at once.
 * Otherwise the ROLLBACK Sequelize sends next waits behind the unanswered query for a second
 * full timeout before the connection is dropped.
 */
class FailFastClient extends pg.Client {
  #invalid = false;

  get _invalid(): boolean {
    return this.#invalid;
  }

  set _invalid(invalid: boolean) {
    this.#invalid = invalid;
    if (invalid) this.end().catch(() => {});
  }
}

/** The `pg` module as Sequelize loads it, with {@link FailFastClient} as its Client. */
const failFastPg: object = Object.assign(Object.create(pg) as object, { Client: FailFastClient });

export interface PoolOptions {
  applicationName?: string;
  /**
   * The client-side limit on one statement (the server is hung: statement_timeout cannot fire).
   * Default: statementTimeoutInMs plus a margin; 0 for none (the CLI's long operator commands,
   * which lift statement_timeout themselves).
   */
  queryTimeoutInMs?: number;
}

/**
 * Opens the PostgreSQL connection pool. Every wait is bounded, so a database that is down, hung
 * or locked produces an error within seconds (the 503 page) rather than a hanging request: the
 * pool acquire, the connect, the server's statement and lock timeouts, and the client's own
 * query timeout for a server that cannot even cancel.
 */
export function createSequelize(
  database: Omit<Config['database'], 'readUrl'>,
  options: PoolOptions = {},
): Sequelize {
  const statementTimeout = database.statementTimeoutInMs;
  const sequelize = new Sequelize(database.url, {
    dialect: 'postgres',
    dialectModule: failFastPg,
    logging: false,
    pool: { max: database.poolMax, min: 0, acquire: ACQUIRE_TIMEOUT_MS, idle: 10_000, evict: 5000 },
    dialectOptions: {
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // Also bounds waiting for a lock held elsewhere (a migration, a stuck transaction). No
      // shorter lock_timeout: appends queue on the audit chains' advisory lock under a burst.
      statement_timeout: statementTimeout,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
      query_timeout: options.queryTimeoutInMs ?? statementTimeout + CLIENT_MARGIN_MS,
      application_name: options.applicationName ?? 'his-acceso',
    },
    define: { underscored: true, timestamps: true },
  });
  return sequelize;
}

/**
 * The connection the audit screens and exports read through: a pool on DATABASE_READ_URL (a
 * streaming replica) when it is set, else the primary itself. Logins, sessions and every write
 * never use it: a replica lags behind, and the hot path must see its own writes.
 */
export function createReadSequelize(database: Config['database'], primary: Sequelize): Sequelize {
  if (!database.readUrl) return primary;
  return createSequelize(
    { ...database, url: database.readUrl },
    { applicationName: 'his-acceso-read' },
  );
}
