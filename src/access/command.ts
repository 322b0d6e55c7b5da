import type { Transaction } from 'sequelize';
import type { z } from 'zod';
import type { Repositories } from '../repositories';
import type { Clock } from '../shared/clock';
import { forbidden } from '../shared/errors';
import { validate } from '../shared/validation';
import type { AdminEvent } from '../audit/admin-events';
import type { Actor } from './actor';
import { can, gate, type Action, type TargetOf } from './policies';

/** Who asked, from where: what every audit row carries. */
export interface CommandMeta {
  ip: string | null;
  userAgent: string | null;
}

/** What a command's audit row says beyond who, when and from where. */
export type AuditEntry = Pick<
  AdminEvent,
  'targetType' | 'targetId' | 'targetUserId' | 'details' | 'regionIds'
>;

export interface CommandContext<Input, Target> {
  actor: Actor;
  input: Input;
  target: Target;
  now: Date;
  transaction: Transaction;
}

export interface CommandDeps {
  repos: Repositories;
  clock: Clock;
}

/**
 * An administrative change, declared once: its action (the policy checked and the audit code),
 * its schema (Spanish per-field messages), how to load and lock its target, and what it changes.
 * `after` runs once the transaction has committed (Redis: identities, sessions).
 */
export interface CommandSpec<S extends z.ZodType, Target, Result, D extends CommandDeps> {
  action: Action;
  schema: S;
  load(
    deps: D,
    input: z.infer<S>,
    transaction: Transaction,
    actor: Actor,
  ): Promise<{ target: Target; policyTarget: TargetOf<Action>; audit: Partial<AuditEntry> }>;
  apply(
    deps: D,
    ctx: CommandContext<z.infer<S>, Target>,
  ): Promise<{ result: Result; audit: Partial<AuditEntry> }>;
  after?(deps: D, result: Result): Promise<void>;
}

const entry = (a: Partial<AuditEntry>): AuditEntry => ({
  targetType: a.targetType ?? null,
  targetId: a.targetId ?? null,
  targetUserId: a.targetUserId ?? null,
  details: a.details ?? {},
  regionIds: a.regionIds ?? [],
});

/**
 * Builds `(deps) => (actor, input, meta)`: authorize (gate) → validate → load and lock the target
 * → authorize on it → change and its admin_events row in ONE transaction. A refusal is recorded
 * in a transaction of its own (the refused change has none) and throws the forbidden error.
 */
export function defineCommand<S extends z.ZodType, Target, Result, D extends CommandDeps>(
  spec: CommandSpec<S, Target, Result, D>,
) {
  return (deps: D) =>
    async (actor: Actor, rawInput: unknown, meta: CommandMeta): Promise<Result> => {
      const now = deps.clock.now();
      const row = (outcome: AdminEvent['outcome'], audit: AuditEntry): AdminEvent => ({
        occurredAt: now,
        actorUserId: actor.userId || null,
        actorUsername: actor.username || null,
        action: spec.action,
        outcome,
        establishmentId: actor.establishmentId,
        ...meta,
        ...audit,
      });
      const refuse = async (audit: Partial<AuditEntry>): Promise<never> => {
        await deps.repos.transaction((tx) =>
          deps.repos.adminEvents.append(row('denied', entry(audit)), tx),
        );
        throw forbidden();
      };
      if (!gate(actor, spec.action)) return refuse({});
      const input = validate(spec.schema, rawInput);
      let denied: Partial<AuditEntry> | null = null;
      const result = await deps.repos.transaction(async (transaction) => {
        const loaded = await spec.load(deps, input, transaction, actor);
        if (!can(actor, spec.action, loaded.policyTarget as never)) {
          denied = loaded.audit;
          return null;
        }
        const done = await spec.apply(deps, {
          actor,
          input,
          target: loaded.target,
          now,
          transaction,
        });
        await deps.repos.adminEvents.append(
          row('success', entry({ ...loaded.audit, ...done.audit })),
          transaction,
        );
        return { value: done.result };
      });
      if (!result) return refuse(denied ?? {});
      await spec.after?.(deps, result.value);
      return result.value;
    };
}
