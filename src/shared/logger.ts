import pino from 'pino';

export type Logger = pino.Logger;

const CENSOR = '[oculto]';

/**
 * Keys of a logged error whose values are what a client or a query sent, never an explanation:
 * body-parser puts the raw form (password included) in `body`, Sequelize the bound values in
 * `parameters` and the inlined ones in `sql`, HTTP clients the request and its headers in
 * `config`/`request`/`response`, validators the rejected `value`/`input`.
 */
const CONTENT_KEYS = new Set([
  'body',
  'rawbody',
  'data',
  'config',
  'request',
  'response',
  'headers',
  'parameters',
  'sql',
  'instance',
  'value',
  'input',
]);
const CREDENTIAL_KEY = /pass(word|wd)?|secret|token|cookie|authori[sz]ation|credential|session/i;
/**
 * An error's `code` is shown (as `errorCode`) only when it reads as a library's error code:
 * ECONNREFUSED, Z_DATA_ERROR, ERR_…, a PostgreSQL SQLSTATE, our own snake_case codes. Anything else
 * might be an OAuth authorization code, which the redact paths below hide wherever it is named
 * `code`.
 */
const ERROR_CODE = /^(?:[A-Z][A-Z0-9_]{1,63}|[0-9A-Z]{5}|[a-z][a-z0-9_.]{1,63})$/;
const MAX_DEPTH = 6;
const MAX_ITEMS = 20;

function scrub(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (CONTENT_KEYS.has(key.toLowerCase()) || CREDENTIAL_KEY.test(key)) out[key] = CENSOR;
    else if (key === 'code') {
      if (typeof child === 'string' && ERROR_CODE.test(child)) out.errorCode = child;
      else if (typeof child === 'number') out.errorCode = child;
      else out[key] = CENSOR;
    } else out[key] = scrub(child, depth + 1);
  }
  return out;
}

/**
 * pino's standard error serializer, in its form that keeps each cause as an error of its own (type,
 * message, stack, own properties: `code` included), then every nested level scrubbed of request
 * content and credentials. Redact paths only reach fixed
 * depths; an error's cause chain and library-specific fields can nest anywhere.
 */
export function serializeError(err: unknown): unknown {
  return scrub(pino.stdSerializers.errWithCause(err as Error), 0);
}

/**
 * Structured logger. Credentials and tokens are redacted by path so that a careless
 * `log.info({ req })` cannot leak them, and errors logged as `err` go through
 * {@link serializeError}, so `logger.error({ err })` with body-parser's error (which carries the
 * raw form) or a failed query (which carries its parameters) never prints them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'his-acceso' },
      serializers: { err: serializeError },
      redact: {
        paths: [
          'password',
          '*.password',
          'client_secret',
          '*.client_secret',
          'code',
          '*.code',
          'token',
          '*.token',
          'access_token',
          '*.access_token',
          'id_token',
          '*.id_token',
          'refresh_token',
          '*.refresh_token',
          'body',
          '*.body',
          'cookie',
          '*.cookie',
          'authorization',
          '*.authorization',
          'req.headers.cookie',
          'req.headers.authorization',
          'headers.cookie',
          'headers.authorization',
          'res.headers["set-cookie"]',
        ],
        censor: CENSOR,
      },
    },
    destination,
  );
}
