import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Debian's nginx package (scripts/test-setup.sh installs it). */
export const NGINX_PATH = '/usr/sbin/nginx';

/**
 * `count` distinct free ports, all held open while they are chosen: two calls to
 * {@link freePort} in a row may both get the same port back.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A free TCP port on 127.0.0.1 (released just before nginx binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningNginx {
  baseUrl: string;
  /** The error log so far, for failure messages. */
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Runs the real nginx as this (non-daemon, single) process on 127.0.0.1:`port`, everything under
 * a temporary prefix (pid, logs, temp paths): `files` are written under its conf/ folder and
 * `httpConf` goes inside `http { }`. Stopped by its own PID.
 */
export async function startNginx(opts: {
  port: number;
  httpConf: string;
  files?: Record<string, string>;
  /** Connections nginx holds at once, clients' and upstreams' together (256 unless told). */
  workerConnections?: number;
}): Promise<RunningNginx> {
  const prefix = mkdtempSync(path.join(tmpdir(), 'his-nginx-'));
  for (const dir of ['conf', 'logs', 'tmp']) mkdirSync(path.join(prefix, dir));
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(path.dirname(path.join(prefix, 'conf', name)), { recursive: true });
    writeFileSync(path.join(prefix, 'conf', name), text);
  }
  const tmp = path.join(prefix, 'tmp');
  const conf = path.join(prefix, 'conf', 'nginx.conf');
  const errorLog = path.join(prefix, 'logs', 'error.log');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
pid ${prefix}/nginx.pid;
error_log ${errorLog} warn;
events { worker_connections ${opts.workerConnections ?? 256}; }
http {
  access_log off;
  client_body_temp_path ${tmp}/client_body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
${opts.httpConf}
}
`,
  );
  const args = ['-p', `${prefix}/`, '-c', conf, '-e', errorLog];
  const check = spawnSync(NGINX_PATH, [...args, '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the configuration:\n${check.stderr}`);

  const child: ChildProcess = spawn(NGINX_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  const readLog = () => {
    try {
      return readFileSync(errorLog, 'utf8');
    } catch {
      return '';
    }
  };
  // Ready once it accepts a connection (or gone: say why).
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}${readLog()}`);
    try {
      await fetch(`${baseUrl}/`, { redirect: 'manual' });
      break;
    } catch (err) {
      if (attempt > 100) throw new Error(`nginx did not answer on ${baseUrl}: ${String(err)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    baseUrl,
    errorLog: readLog,
    async stop() {
      if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
      await exited;
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
