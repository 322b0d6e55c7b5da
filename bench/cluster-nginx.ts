/** deploy/nginx/his-load-balancer.conf, with this run's addresses, in a real nginx. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/shared/paths';
import { freePort, startNginx, type RunningNginx } from '../test/support/nginx';

const DEPLOY = path.join(projectRoot, 'deploy', 'nginx');
const SERVER_LINES = /(upstream his_acceso \{\n)((?:\s*#[^\n]*\n)*)((?:\s*server [^\n]+\n)+)/;

/**
 * The deployed file with its upstream's server lines replaced by `ports` (same options as the
 * file's) and its listen address by 127.0.0.1:`port`; throws if the file lost either.
 */
export function loadBalancerConf(ports: number[], listenPort: number): string {
  const text = readFileSync(path.join(DEPLOY, 'his-load-balancer.conf'), 'utf8');
  const match = SERVER_LINES.exec(text);
  if (!match) throw new Error('deploy/nginx/his-load-balancer.conf lost its upstream servers');
  const options = /server \S+ ([^;]*);/.exec(match[3]!)?.[1] ?? '';
  const servers = ports.map((p) => `    server 127.0.0.1:${p} ${options};\n`).join('');
  const conf = text.replace(SERVER_LINES, `$1$2${servers}`);
  if (!conf.includes('listen 80;')) throw new Error('his-load-balancer.conf lost "listen 80;"');
  return conf.replace('listen 80;', `listen 127.0.0.1:${listenPort};`);
}

/**
 * Starts nginx (own prefix, stopped by PID) balancing over the instances on `ports`; a burst of
 * slow logins needs more than the harness's default connections (`workerConnections`).
 */
export async function startLoadBalancer(
  ports: number[],
  port?: number,
  workerConnections?: number,
): Promise<RunningNginx> {
  port ??= await freePort();
  return startNginx({
    port,
    workerConnections,
    httpConf: 'include conf.d/*.conf;',
    files: {
      'conf.d/his-load-balancer.conf': loadBalancerConf(ports, port),
      'snippets/his-proxy-headers.conf': readFileSync(
        path.join(DEPLOY, 'his-proxy-headers.conf'),
        'utf8',
      ),
    },
  });
}
