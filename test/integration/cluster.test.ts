import { existsSync } from 'node:fs';
import { NGINX_PATH, freePort, type RunningNginx } from '../support/nginx';
import { startClusterWorld, type ClusterWorld } from '../../bench/cluster-world';
import { startLoadBalancer } from '../../bench/cluster-nginx';
import {
  eidAcrossInstances,
  killUnderLoad,
  lockoutShared,
  sessionOnEveryInstance,
  type CheckResult,
} from '../../bench/cluster-checks';

jest.setTimeout(180_000);

/**
 * `npm run cluster` reduced: two real app processes (src/main.ts) behind the real nginx running
 * deploy/nginx/his-load-balancer.conf, on a scratch database and Redis prefix of their own, and
 * the same checks 1–4 (the throughput table needs the full script's seconds of load).
 */
const haveNginx = existsSync(NGINX_PATH);
if (!haveNginx)
  console.warn(`cluster test skipped: ${NGINX_PATH} is absent (apt-get install nginx).`);
const describeWithNginx = haveNginx ? describe : describe.skip;

let world: ClusterWorld | undefined;
let lb: RunningNginx | undefined;

beforeAll(async () => {
  if (!haveNginx) return;
  const port = await freePort();
  world = await startClusterWorld({
    instances: 2,
    loadUsers: 4,
    baseUrl: `http://127.0.0.1:${port}`,
  });
  lb = await startLoadBalancer(
    world.instances.map((i) => i.port),
    port,
  );
});
afterAll(async () => {
  await lb?.stop();
  await world?.stop();
});

/** The check's own verdict; on failure the diff shows its detail (statuses, counts). */
const expectPass = (result: CheckResult) => expect(result).toEqual({ ...result, pass: true });

describeWithNginx('several instances behind nginx', () => {
  it('when a session is opened through nginx then every instance serves it', async () => {
    expectPass(await sessionOnEveryInstance(world!, lb!));
  });

  it('when wrong passwords are spread over the instances then the account locks at the configured count', async () => {
    expectPass(await lockoutShared(world!));
  });

  it('when the e-ID flow starts on one instance then another completes it', async () => {
    expectPass(await eidAcrossInstances(world!));
  });

  it('when one instance is killed under load then nginx keeps serving and no session is lost', async () => {
    const result = await killUnderLoad(world!, lb!, {
      seconds: 4,
      connections: 4,
      sessions: 4,
      maxFailedShare: 0.01,
    });
    expectPass(result);
    expect(world!.instances.filter((i) => i.alive())).toHaveLength(1);
  });
});
