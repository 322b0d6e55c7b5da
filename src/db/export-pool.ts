import pg from 'pg';

/**
 * The connections exports read through: a small pg pool of their own, not Sequelize's. An export
 * holds its connection for as long as the browser takes to download (minutes for a million
 * rows on a slow link); on the request pool that would starve the logins. `max` caps the
 * concurrent exports of an instance (the next waits up to `connectionTimeoutMillis`, then gets
 * a "try again" page); the statement timeout is long because a cursor's statement lasts the
 * whole download. Idle connections close after a few seconds and never keep the process alive.
 */
export function createExportPool(url: string, onIdleError: (err: Error) => void, max = 2): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    idleTimeoutMillis: 5000,
    connectionTimeoutMillis: 5000,
    allowExitOnIdle: true,
    statement_timeout: 30 * 60 * 1000,
    application_name: 'his-acceso-export',
  });
  // An idle connection the server closes (a restart, a failover) must not crash the process:
  // the pool drops it and opens another for the next export.
  pool.on('error', onIdleError);
  return pool;
}
