import type { KeyObject } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { AuditTrailStore } from '../../storage/audit/trail-store';
import { writeCheckpoint, type Checkpoint } from './checkpoints';

/**
 * The periodic signed checkpoint (src/domain/audit/checkpoints.ts): every instance ticks, one
 * writes per interval (a Redis lock that lives just under it). The checkpoint also goes to the log
 * stream, a second copy outside PostgreSQL.
 */
export function createCheckpointWriter(deps: {
  store: AuditTrailStore;
  dir: string;
  key: KeyObject;
  redis: RedisClientType;
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  intervalInMinutes: number;
}) {
  const lockKey = `${deps.keyPrefix}audit-checkpoint-lock`;
  const lockSeconds = Math.max(1, deps.intervalInMinutes * 60 - 5);
  return {
    /** Writes a checkpoint unless another instance did this interval; returns it or null. */
    async tick(): Promise<Checkpoint | null> {
      if ((await deps.redis.set(lockKey, '1', { NX: true, EX: lockSeconds })) !== 'OK') return null;
      const checkpoint = await writeCheckpoint({ ...deps, now: deps.clock.now() });
      deps.logger.info({ checkpoint }, 'audit checkpoint');
      return checkpoint;
    },
  };
}
