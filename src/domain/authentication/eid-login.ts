import type { RedisClientType } from 'redis';
import type { Config } from '../../config';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { RecordLoginEvent } from '../audit/recorder';
import type { ReauthDemand } from '../sessions/types';
import type { Repositories } from '../../storage/repositories';
import type { UserRecord } from '../../storage/users';
import { EidError, type EidFlow, type EidProvider } from '../../eid/provider';
import { linkIdentity, type LinkRefusal } from './link-identity';

/** Refusals that say the provider itself failed (not the person, not the token). */
const PROVIDER_FAILURES = new Set<string>([
  'eid_provider_unreachable',
  'eid_timeout',
  'eid_provider_error',
]);

/** Stored reason code: on forced re-authentication, the e-ID returned another person. */
export type ReauthRefusal = 'eid_reauth_other_person';

export type CallbackResult =
  | { kind: 'accepted'; user: UserRecord }
  | { kind: 'refused'; error: EidError }
  | {
      kind: 'refused';
      reason: LinkRefusal | ReauthRefusal;
      documentNumber: string;
      user: UserRecord | null;
    };

export interface EidLoginDeps {
  config: Config;
  clock: Clock;
  provider: EidProvider;
  record: RecordLoginEvent;
  redis: RedisClientType;
  repos: Repositories;
  logger: Logger;
  /** Told when an exchange with the provider failed or worked (the monitor probes at once). */
  reportAvailability(ok: boolean): void;
}

/**
 * The e-ID use cases: start a flow, and turn a callback into an HIS user. `last_eid_login_at`
 * is set here, by our clock, only after our own exchange and checks succeed.
 */
export function createEidLogin(deps: EidLoginDeps) {
  const { config, clock, provider, record, redis } = deps;

  /** Atomically marks a state as used, so a replayed callback fails even if sessions race. */
  const consumeState = async (state: string): Promise<boolean> =>
    (await redis.set(`${config.redis.keyPrefix}eid-state:${state}`, '1', {
      NX: true,
      EX: config.eid.flowTtlInMinutes * 60 * 2,
    })) === 'OK';

  return {
    start: (forceReauth: boolean) => provider.start({ forceReauth, now: clock.now() }),

    async complete(
      callbackUrl: URL,
      flow: EidFlow | undefined,
      demand: ReauthDemand | undefined,
      meta: { ip: string | null; userAgent: string | null },
    ): Promise<CallbackResult> {
      const now = clock.now();
      const base = { ...meta, method: 'eid' as const };
      try {
        if (!flow) throw new EidError('eid_no_flow');
        if (now.getTime() - flow.createdAt > config.eid.flowTtlInMinutes * 60_000)
          throw new EidError('eid_flow_expired');
        if (!(await consumeState(String(flow.state)))) throw new EidError('eid_no_flow');
        const identity = await provider.finish(callbackUrl, flow, now);
        deps.reportAvailability(true);

        const refuse = async (
          reason: LinkRefusal | ReauthRefusal,
          user: UserRecord | null,
        ): Promise<CallbackResult> => {
          await record({
            ...base,
            userId: user?.id ?? demand?.userId ?? null,
            username: user?.username ?? null,
            outcome: 'failure',
            reason,
          });
          return { kind: 'refused', reason, documentNumber: identity.documentNumber, user };
        };
        // The common case, a person who logged in with the e-ID before: one statement.
        const returning = await deps.repos.users.stampReturningEidLogin(
          identity,
          now,
          demand?.userId ?? null,
        );
        let user: UserRecord;
        if (returning) user = returning;
        else {
          const linked = await linkIdentity(deps.repos, identity, now);
          if ('refusal' in linked) return await refuse(linked.refusal, linked.user);
          user = linked.user;
          if (demand && demand.userId !== user.id)
            return await refuse('eid_reauth_other_person', user);
          await deps.repos.users.recordActivity(user.id, { lastEidLoginAt: now });
          user = { ...user, lastEidLoginAt: now };
        }
        await record({
          ...base,
          userId: user.id,
          username: user.username,
          outcome: 'info',
          reason: demand ? 'eid_reauthenticated' : 'eid_verified',
        });
        return { kind: 'accepted', user };
      } catch (err) {
        if (!(err instanceof EidError)) throw err;
        // A failed exchange asks the monitor for a probe now; it does not switch by itself.
        if (PROVIDER_FAILURES.has(err.reason)) deps.reportAvailability(false);
        // The reason and the cause's name only: causes can quote URLs, codes or tokens.
        deps.logger.warn(
          { reason: err.reason, cause: (err.cause as Error | undefined)?.name },
          'e-ID login refused',
        );
        await record({
          ...base,
          userId: demand?.userId ?? null,
          outcome: 'failure',
          reason: err.reason,
        });
        return { kind: 'refused', error: err };
      }
    },

    endSessionUrl: (postLogoutRedirectUri: string) => provider.endSessionUrl(postLogoutRedirectUri),
  };
}

export type EidLogin = ReturnType<typeof createEidLogin>;
