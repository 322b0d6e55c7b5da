import { Sequelize } from 'sequelize';
import type { Config } from '../config';

/**
 * Opens the PostgreSQL connection pool. Timeouts are explicit so that a database that is down
 * or slow produces an error within seconds rather than a hanging request.
 */
export function createSequelize(database: Config['database']): Sequelize {
  const sequelize = new Sequelize(database.url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: database.poolMax, min: 0, acquire: 5000, idle: 10_000, evict: 5000 },
    dialectOptions: {
      connectionTimeoutMillis: 3000,
      statement_timeout: database.statementTimeoutInMs,
      application_name: 'his-acceso',
    },
    define: { underscored: true, timestamps: true },
  });
  return sequelize;
}
