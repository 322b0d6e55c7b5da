import { Sequelize } from 'sequelize';
import type { Config } from '../config';

/**
 * Opens the PostgreSQL connection pool. Timeouts are explicit so that a database that is down
 * or slow produces an error within seconds rather than a hanging request.
 */
export function createSequelize(
  database: Omit<Config['database'], 'readUrl'>,
  applicationName = 'his-acceso',
): Sequelize {
  const sequelize = new Sequelize(database.url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: database.poolMax, min: 0, acquire: 5000, idle: 10_000, evict: 5000 },
    dialectOptions: {
      connectionTimeoutMillis: 3000,
      statement_timeout: database.statementTimeoutInMs,
      application_name: applicationName,
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
  return createSequelize({ ...database, url: database.readUrl }, 'his-acceso-read');
}
