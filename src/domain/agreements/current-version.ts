import type { RedisClientType } from 'redis';
import type { Repositories } from '../../storage/repositories';

/** The Redis key (under the app's prefix) holding the version in force, "0" when none. */
export const agreementKey = (keyPrefix: string) => `${keyPrefix}agreement:current`;

/**
 * The confidentiality agreement's version in force, as the page-view path reads it: one Redis key,
 * read in the same round trip as the session (src/web/session/middleware.ts), written when a
 * version is published and filled from PostgreSQL when absent (a Redis that lost its data).
 */
export function createAgreementVersion(
  redis: RedisClientType,
  keyPrefix: string,
  repos: Repositories,
) {
  const key = agreementKey(keyPrefix);
  const load = async () => (await repos.agreements.current())?.version ?? 0;
  return {
    /** The version in force (0: none published), from `cached` (the key as read) or Redis. */
    async get(cached?: string | null): Promise<number> {
      const value = cached ?? (await redis.get(key));
      if (value !== null && /^\d+$/.test(value)) return Number(value);
      const version = await load();
      await redis.set(key, String(version), { NX: true });
      return version;
    },
    /** A version was published (after its commit): every session sees it at its next request. */
    async publish(version: number): Promise<void> {
      await redis.set(key, String(version));
    },
    /** Rewrites the key from PostgreSQL (at start-up: a restore or a lost write cannot linger). */
    async sync(): Promise<number> {
      const version = await load();
      await redis.set(key, String(version));
      return version;
    },
  };
}

export type AgreementVersionCache = ReturnType<typeof createAgreementVersion>;

/** Whether the person must accept the version in force before any page. */
export const mustAcceptAgreement = (acceptedVersion: number | undefined, current: number) =>
  current > 0 && (acceptedVersion ?? 0) < current;
