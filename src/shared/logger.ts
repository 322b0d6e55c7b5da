import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured logger. Credentials and tokens are redacted by path so that a careless
 * `log.info({ req })` cannot leak them.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'his-acceso' },
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
          'req.headers.cookie',
          'req.headers.authorization',
        ],
        censor: '[oculto]',
      },
    },
    destination,
  );
}
