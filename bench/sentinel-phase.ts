/**
 * One failover of the Sentinel check, during a login load: how it is caused, what the requests
 * got, how long the app took to serve again, and which sessions opened before it still work.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterWorld } from './cluster-world';
import type { SentinelTopology } from './redis-topology';
import { loginLoad, openSessions, sessionWorks } from './sentinel-load';

/**
 * - `failover`: SENTINEL FAILOVER, a planned switch (the old primary becomes a replica);
 * - `kill`: kill -9 of the primary under load, whatever was not yet replicated is lost;
 * - `kill-after-wait`: the same, right after `WAIT 1` on the primary returned: every session
 *   opened before the WAIT was acknowledged by the replica and must survive.
 */
export type FailoverKind = 'failover' | 'kill' | 'kill-after-wait';

export interface PhaseResult {
  kind: FailoverKind;
  pass: boolean;
  steps: number;
  /** Failed steps by "step → status" (status 0: connection error or timeout). */
  failures: Record<string, number>;
  answered500: number;
  answered503: number;
  /** Until the sentinels named the new primary, from the trigger. */
  switchMs: number;
  /** Until the first session request started after the trigger was answered successfully. */
  recoveryMs: number | null;
  /** The slowest single HTTP step of the phase. */
  slowestStepMs: number;
  sessionsBefore: number;
  lost: number;
  /**
   * Logins cut short because the session written by the step before was gone at the next step
   * (redirected to the login, or its form token refused): writes of the switch's window that the
   * new primary never got.
   */
  lostInFlight: number;
  /** For each lost session, how long before the trigger it was opened. */
  lostAgesMs: number[];
  /** Sessions opened before WAIT returned (kill-after-wait only), and how many of them were lost. */
  acknowledged?: { sessions: number; lost: number };
  detail: string;
}

export async function failoverPhase(
  topology: SentinelTopology,
  world: ClusterWorld,
  kind: FailoverKind,
  opts: { workers: number; secondsBefore: number; secondsAfter: number; sessions: number },
): Promise<PhaseResult> {
  await topology.settled();
  const bases = world.instances.map((i) => i.url);
  const usernames = world.users.load.map((u) => u.username);
  const { establishmentId } = world;
  // Sessions of people at work before the switch, on top of those the load opens.
  const opened = await openSessions({ bases, usernames, establishmentId, count: opts.sessions });
  const oldPrimary = await topology.primaryPort();
  let stopAt = Number.POSITIVE_INFINITY;
  const loading = loginLoad({
    bases,
    usernames,
    establishmentId,
    workers: opts.workers,
    until: () => Date.now() >= stopAt,
  });
  await sleep(opts.secondsBefore * 1000);

  let acknowledgedAt: number | null = null;
  if (kind === 'kill-after-wait') {
    // WAIT covers the writes made before it was sent: the sessions opened until then.
    const sent = Date.now();
    const replicas = await topology.withNode(oldPrimary, (c) =>
      c.sendCommand(['WAIT', '1', '2000']),
    );
    if (Number(replicas) !== 1) throw new Error(`WAIT 1 2000 answered ${String(replicas)}`);
    acknowledgedAt = sent;
  }
  const trigger = Date.now();
  if (kind === 'failover') await topology.failover();
  else await topology.kill(oldPrimary);
  let switchedAt = Date.now();
  for (let i = 0; i < 300; i++) {
    const now = await topology.primaryPort().catch(() => oldPrimary);
    switchedAt = Date.now();
    if (now !== oldPrimary) break;
    await sleep(50);
  }
  stopAt = switchedAt + opts.secondsAfter * 1000;
  const { steps, sessions } = await loading;

  const before = [...opened, ...sessions.filter((s) => s.openedAt < trigger)];
  const works = await Promise.all(
    before.map((s, i) => sessionWorks(bases[i % bases.length]!, s.cookie).catch(() => false)),
  );
  const lostSessions = before.filter((_, i) => !works[i]);
  const failures: Record<string, number> = {};
  for (const s of steps.filter((x) => !x.ok)) {
    const key = `${s.what} → ${s.status}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
  // The login form may be served without Redis: only steps that read or write a session count.
  const recovered = steps
    .filter((s) => s.ok && s.start >= trigger && s.what !== 'GET /login')
    .map((s) => s.end - trigger);
  const recoveryMs = recovered.length ? Math.min(...recovered) : null;
  const acknowledged =
    acknowledgedAt === null
      ? undefined
      : {
          sessions: before.filter((s) => s.openedAt <= acknowledgedAt).length,
          lost: lostSessions.filter((s) => s.openedAt <= acknowledgedAt).length,
        };
  if (kind !== 'failover') await topology.revive(oldPrimary);

  const answered500 = steps.filter((s) => s.status === 500).length;
  const answered503 = steps.filter((s) => s.status === 503).length;
  const switchMs = switchedAt - trigger;
  const result: PhaseResult = {
    kind,
    pass:
      answered500 === 0 &&
      recoveryMs !== null &&
      before.length >= opts.sessions &&
      (acknowledged?.lost ?? 0) === 0,
    steps: steps.length,
    failures,
    answered500,
    answered503,
    switchMs,
    recoveryMs,
    slowestStepMs: Math.max(0, ...steps.map((s) => s.end - s.start)),
    sessionsBefore: before.length,
    lost: lostSessions.length,
    // Sent back to the login, or the form's token refused (403): the session was not there.
    lostInFlight: steps.filter(
      (x) =>
        (x.status === 303 && (x.what === 'GET /login/establishment' || x.what === 'GET /')) ||
        (x.status === 403 && x.what === 'POST /login/establishment'),
    ).length,
    lostAgesMs: lostSessions.map((s) => trigger - s.openedAt),
    ...(acknowledged && { acknowledged }),
    detail: '',
  };
  result.detail =
    `${steps.length} HTTP steps (${sessions.length} logins); failed steps ${JSON.stringify(failures)}; ` +
    `500: ${answered500}, 503: ${answered503}; sentinels switched in ${switchMs} ms, first request ` +
    `started after the trigger served in ${recoveryMs ?? '—'} ms, slowest step ${result.slowestStepMs} ms; ` +
    `sessions opened before: ${before.length}, lost: ${lostSessions.length}` +
    (lostSessions.length ? ` (opened ${result.lostAgesMs.join(', ')} ms before)` : '') +
    `; logins whose new session was gone at the next step: ${result.lostInFlight}` +
    (acknowledged
      ? `; acknowledged by WAIT: ${acknowledged.sessions}, of which lost: ${acknowledged.lost}`
      : '');
  return result;
}
