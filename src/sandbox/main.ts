/**
 * Entry point of `npm run sandbox`: the e-ID sandbox on its own port. Prints exactly one JSON
 * line on stdout when listening (tests and `npm run dev` parse it); everything else goes to stderr.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createSandbox } from './server';

/** Checked before anything else: the sandbox accepts any test citizen, so never in production. */
if (process.env.NODE_ENV === 'production') {
  console.error('El simulador de Identidad Electrónica no se ejecuta con NODE_ENV=production.');
  process.exit(1);
}

const envSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_ISSUER_BASE: z.url().optional(),
  EID_CLIENT_ID: z.string().min(1).default('his-acceso-dev'),
  EID_CLIENT_SECRET: z.string().min(16).default('his-acceso-dev-secret-change-me-0123456789'),
  EID_REDIRECT_URI: z.url().default('http://localhost:3000/auth/eid/callback'),
  EID_ISSUER: z.string().min(1).default('sandbox-mitic'),
  EID_POST_LOGOUT_REDIRECT_URI: z.url().default('http://localhost:3000/login'),
});

/** Graceful stop: cancel slow waits first, so no open token request holds the server. */
const SHUTDOWN_GRACE_IN_MS = 5_000;

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    console.error(`Variable de entorno inválida: ${String(issue?.path[0])} (${issue?.message}).`);
    process.exit(1);
  }
  const env = parsed.data;

  // Listen first: with SANDBOX_PORT=0 the issuer's port is only known afterwards. Requests
  // cannot arrive before the app is attached, as nobody knows the port until the line below.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.SANDBOX_PORT, env.SANDBOX_HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = (env.SANDBOX_ISSUER_BASE ?? `http://localhost:${port}`).replace(/\/+$/, '');

  const sandbox = await createSandbox({
    issuerBaseUrl: url,
    clientId: env.EID_CLIENT_ID,
    clientSecret: env.EID_CLIENT_SECRET,
    redirectUri: env.EID_REDIRECT_URI,
    miticIssuer: env.EID_ISSUER,
    postLogoutRedirectUri: env.EID_POST_LOGOUT_REDIRECT_URI,
  });
  server.on('request', sandbox.app);
  process.stdout.write(`${JSON.stringify({ event: 'sandbox.listening', port, url })}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sandbox.close();
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_IN_MS);
    forced.unref();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error('El simulador de Identidad Electrónica no pudo iniciar:', err);
  process.exit(1);
});
