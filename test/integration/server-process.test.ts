import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { projectRoot } from '../../src/shared/paths';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The real server (src/main.ts) on the run's database, as `npm start` runs it compiled. */
function startServer(port: number): {
  child: ChildProcess;
  listening: Promise<void>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      REDIS_KEY_PREFIX: `${process.env.TEST_REDIS_PREFIX ?? 'test:'}server:`,
      // An e-ID provider that is not there: the server must still start and serve.
      EID_AUTHORIZE_URL: 'http://127.0.0.1:1/login',
      EID_TOKEN_URL: 'http://127.0.0.1:1/rest/authentication',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listening = new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('HIS Acceso listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, listening, exited };
}

describe('the server process', () => {
  it('when started it serves, and on SIGTERM it closes its server and connections and exits 0', async () => {
    const port = await freePort();
    const server = startServer(port);
    try {
      await server.listening;
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('Iniciar sesión');

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null)
        server.child.kill('SIGKILL');
    }
  });
});
