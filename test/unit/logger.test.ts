import { createLogger } from '../../src/shared/logger';

/** A logger writing into an array (pino's destination is anything with `write`). */
function capture() {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { logger, lines, text: () => lines.join('') };
}

const SECRET = 'Contraseña-Secreta-123';

/** body-parser's error as it arrives at the error handler (src: body-parser/lib/read.js). */
const bodyParserError = () =>
  Object.assign(new Error('too many parameters'), {
    type: 'parameters.too.many',
    status: 413,
    statusCode: 413,
    expose: true,
    body: `username=ana&password=${encodeURIComponent(SECRET)}&_csrf=tok`,
  });

describe('createLogger: credentials never reach a line', () => {
  it('when a body-parser error is logged as err then its raw body is hidden, its type kept', () => {
    const { logger, lines, text } = capture();
    logger.error({ err: bodyParserError() }, 'request failed');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line.err.type).toBe('Error');
    expect(line.err.message).toBe('too many parameters');
    expect(line.err.body).toBe('[oculto]');
    expect(text()).not.toContain(encodeURIComponent(SECRET));
    expect(text()).not.toContain('username=ana');
  });

  it('when the error is the first argument then it is serialized the same way', () => {
    const { logger, text } = capture();
    logger.error(bodyParserError());
    expect(text()).toContain('too many parameters');
    expect(text()).not.toContain(encodeURIComponent(SECRET));
  });

  it('when a query error carries parameters and SQL, also in its cause, then both are hidden', () => {
    const { logger, lines, text } = capture();
    const pg = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      parameters: ['ana', '$argon2id$v=19$m=19456,t=2,p=1$hash'],
    });
    const sequelize = Object.assign(new Error('Validation error'), {
      name: 'SequelizeUniqueConstraintError',
      sql: `INSERT INTO users (username, password_hash) VALUES ('ana', '${SECRET}')`,
      parameters: { $1: SECRET },
      original: pg,
      cause: pg,
      errors: [{ message: 'username must be unique', value: SECRET, instance: { SECRET } }],
    });
    logger.error({ err: sequelize }, 'request failed');
    const line = JSON.parse(lines[0]!);
    expect(line.err.sql).toBe('[oculto]');
    expect(line.err.original.parameters).toBe('[oculto]');
    expect(line.err.cause.errorCode).toBe('23505');
    expect(line.err.cause.message).toContain('duplicate key');
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain('argon2id');
  });

  it('when an HTTP client error carries its request config and response then they are hidden', () => {
    const { logger, text } = capture();
    const err = Object.assign(new Error('Request failed with status code 400'), {
      code: 'ERR_BAD_REQUEST',
      config: { headers: { Authorization: `Basic ${SECRET}` }, data: `client_secret=${SECRET}` },
      request: { _header: `Cookie: his.sid=${SECRET}` },
      response: { status: 400, data: { access_token: SECRET } },
    });
    logger.error({ err: new Error('token exchange failed', { cause: err }) }, 'e-ID failed');
    expect(text()).toContain('ERR_BAD_REQUEST');
    expect(text()).toContain('token exchange failed');
    expect(text()).not.toContain(SECRET);
  });

  it('when an error code is not a library code (an OAuth code) then it is hidden', () => {
    const { logger, text } = capture();
    const oauthCode = 'Zx8_kP2-qR7vT9wY3mB5nC1dF4gH6jL0aS8eU2iO4p';
    logger.warn({ err: Object.assign(new Error('invalid_grant'), { code: oauthCode }) }, 'eid');
    logger.warn({ err: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }, 'db');
    expect(text()).not.toContain(oauthCode);
    expect(text()).toContain('"errorCode":"ECONNREFUSED"');
  });

  it('when credentials are logged by name outside an error then the redact paths hide them', () => {
    const { logger, text } = capture();
    logger.info(
      {
        password: SECRET,
        form: { password: SECRET, body: SECRET },
        req: { headers: { cookie: `his.sid=${SECRET}`, authorization: `Bearer ${SECRET}` } },
        query: { code: SECRET, state: 'kept' },
        tokens: { id_token: SECRET, access_token: SECRET, refresh_token: SECRET },
      },
      'careless',
    );
    expect(text()).toContain('careless');
    expect(text()).toContain('kept');
    expect(text()).not.toContain(SECRET);
  });

  it('when an error nests deeper than the limit then the rest is cut, not printed', () => {
    const { logger, text } = capture();
    let deep: Record<string, unknown> = { note: SECRET };
    for (let i = 0; i < 10; i++) deep = { level: i, next: deep };
    logger.error({ err: Object.assign(new Error('deep'), { detail: deep }) }, 'deep');
    expect(text()).toContain('"level":9');
    expect(text()).not.toContain(SECRET);
  });
});
