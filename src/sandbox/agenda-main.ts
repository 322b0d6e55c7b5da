/**
 * The demo "Agenda" module on its own port (src/sandbox/agenda.ts), started by `npm run dev`
 * after the app: it discovers HIS Acceso's OpenID Provider, so the app must be answering. Prints
 * one JSON line on stdout when listening.
 */
import { createServer } from 'node:http';
import { z } from 'zod';
import { createAgenda } from './agenda';

if (process.env.NODE_ENV === 'production') {
  console.error('El módulo de demostración «Agenda» no se ejecuta con NODE_ENV=production.');
  process.exit(1);
}

const env = z
  .object({
    AGENDA_PORT: z.coerce.number().int().min(1).max(65535).default(3200),
    AGENDA_ISSUER: z.url(),
    AGENDA_CLIENT_ID: z.string().min(1),
    AGENDA_CLIENT_SECRET: z.string().min(1),
  })
  .parse(process.env);

async function main(): Promise<void> {
  const url = `http://localhost:${env.AGENDA_PORT}`;
  // The app may still be starting: discovery is retried for half a minute.
  let app: Awaited<ReturnType<typeof createAgenda>> | undefined;
  for (let attempt = 0; attempt < 60 && !app; attempt++) {
    app = await createAgenda({
      issuer: env.AGENDA_ISSUER,
      clientId: env.AGENDA_CLIENT_ID,
      clientSecret: env.AGENDA_CLIENT_SECRET,
      url,
      insecure: true,
      log: (line) => process.stdout.write(`${JSON.stringify({ event: 'agenda', msg: line })}\n`),
    }).catch(() => undefined);
    if (!app) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!app) {
    console.error(`La Agenda no encontró el proveedor en ${env.AGENDA_ISSUER}.`);
    process.exit(1);
  }
  const server = createServer(app).listen(env.AGENDA_PORT, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ event: 'agenda.listening', url })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
