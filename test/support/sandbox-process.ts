import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../src/shared/paths';

/** How a test reaches and drives a running e-ID sandbox. */
export interface SandboxProcess {
  /** Base URL, e.g. "http://localhost:41234"; the OpenID Provider is at `${url}/oidc`. */
  url: string;
  port: number;
  /** Switches the misbehaviour mode (see src/sandbox/misbehaviour.ts) of both token endpoints. */
  setMode(mode: string, delayMs?: number): Promise<void>;
  /** Adds a citizen of the calling test (password: the sandbox's shared one). */
  addCitizen(citizen: { cedula: string; nombres: string; apellidos: string }): Promise<void>;
  /** Stops this process only, and waits until it has exited. */
  stop(): Promise<void>;
}

const START_TIMEOUT_IN_MS = 20_000;
const STOP_GRACE_IN_MS = 5_000;

/** Runs `src/sandbox/main.ts` with tsx on the current Node, passing the given environment. */
export function spawnSandboxMain(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [require.resolve('tsx/cli'), 'src/sandbox/main.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitForListening(child: ChildProcess): Promise<{ port: number; url: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const onExit = (code: number | null) => fail(`exited with code ${code}`);
    const fail = (why: string) => {
      clearTimeout(timer);
      // SIGTERM, not SIGKILL: tsx relays it to the node process it runs the sandbox in.
      child.kill('SIGTERM');
      reject(new Error(`e-ID sandbox did not start: ${why}\n--- stderr ---\n${stderr}`));
    };
    const timer = setTimeout(
      () => fail(`no listening line within ${START_TIMEOUT_IN_MS} ms`),
      START_TIMEOUT_IN_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', onExit);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Only whole lines: a chunk may end in the middle of the JSON.
      for (const line of stdout.split('\n').slice(0, -1)) {
        if (!line.includes('"sandbox.listening"')) continue;
        const event = JSON.parse(line) as { port: number; url: string };
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(event);
        return;
      }
    });
  });
}

/**
 * Starts the e-ID sandbox as a separate process on a free port, as it runs in development, and
 * resolves once it prints its listening line (or rejects after 20 s with its stderr).
 */
export async function startSandboxProcess(opts: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  miticIssuer?: string;
  postLogoutRedirectUri?: string;
}): Promise<SandboxProcess> {
  const child = spawnSandboxMain({
    NODE_ENV: 'test',
    SANDBOX_PORT: '0',
    EID_CLIENT_ID: opts.clientId,
    EID_CLIENT_SECRET: opts.clientSecret,
    EID_REDIRECT_URI: opts.redirectUri,
    ...(opts.miticIssuer ? { EID_ISSUER: opts.miticIssuer } : {}),
    ...(opts.postLogoutRedirectUri
      ? { EID_POST_LOGOUT_REDIRECT_URI: opts.postLogoutRedirectUri }
      : {}),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Keep draining stderr so a chatty sandbox never blocks on a full pipe.
  child.stderr?.on('data', () => undefined);
  const { port, url } = await waitForListening(child);

  return {
    url,
    port,
    async setMode(mode, delayMs) {
      const response = await fetch(`${url}/__sandbox/mode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(delayMs === undefined ? { mode } : { mode, delayMs }),
      });
      if (!response.ok)
        throw new Error(`setMode(${mode}) failed: ${response.status} ${await response.text()}`);
    },
    async addCitizen(citizen) {
      const response = await fetch(`${url}/__sandbox/citizens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(citizen),
      });
      if (!response.ok)
        throw new Error(`addCitizen failed: ${response.status} ${await response.text()}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_IN_MS);
      await exited;
      clearTimeout(forced);
    },
  };
}
