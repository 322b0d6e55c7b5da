import { isDatabaseUnavailable, mayHaveCommitted } from '../../src/db/unavailable';

/** Shaped as Sequelize throws them: a wrapper whose `original` is node-postgres' error. */
const wrapped = (original: { code?: string; message: string }, sql = 'SELECT 1') =>
  Object.assign(new Error(original.message), {
    name: 'SequelizeDatabaseError',
    original,
    parent: original,
    sql,
  });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', { name: 'SequelizeConnectionRefusedError', message: 'connect' }],
    ['a pool that gave no connection in time', { name: 'SequelizeConnectionAcquireTimeoutError' }],
    ['a connect that timed out', { name: 'SequelizeConnectionError', message: 'timeout expired' }],
    ['statement_timeout', wrapped({ code: '57014', message: 'canceling statement' })],
    ['lock_timeout', wrapped({ code: '55P03', message: 'canceling statement due to lock' })],
    ['a server shutting down', wrapped({ code: '57P01', message: 'terminating connection' })],
    [
      'a server starting up',
      wrapped({ code: '57P03', message: 'the database system is starting' }),
    ],
    ['too many connections', wrapped({ code: '53300', message: 'too many clients' })],
    ['a connection exception', wrapped({ code: '08006', message: 'connection failure' })],
    ['the client giving up on a hung server', wrapped({ message: 'Query read timeout' })],
    ['a dropped connection', wrapped({ message: 'Connection terminated unexpectedly' })],
  ])('when the error is %s then it is an outage', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', wrapped({ code: '23505', message: 'duplicate key' })],
    ['a foreign key violation', wrapped({ code: '23503', message: 'violates foreign key' })],
    ['a syntax error', wrapped({ code: '42601', message: 'syntax error' })],
    ['a bug', new TypeError('cannot read properties of undefined')],
    ['nothing', undefined],
    ['a string', 'Query read timeout'],
  ])('when the error is %s then it is not an outage', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});

describe('mayHaveCommitted', () => {
  it('when the statement that failed was the COMMIT then the write may have landed', () => {
    expect(mayHaveCommitted(wrapped({ message: 'Query read timeout' }, 'COMMIT;'))).toBe(true);
  });

  it('when it failed earlier (BEGIN, the INSERT, a connect) then nothing was stored', () => {
    expect(mayHaveCommitted(wrapped({ message: 'Query read timeout' }, 'START TRANSACTION;'))).toBe(
      false,
    );
    expect(mayHaveCommitted(wrapped({ code: '57014', message: 'x' }, 'INSERT INTO …'))).toBe(false);
    expect(mayHaveCommitted({ name: 'SequelizeConnectionRefusedError' })).toBe(false);
  });
});
