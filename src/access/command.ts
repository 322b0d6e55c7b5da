import type { Transaction } from 'sequelize';
import type { z } from 'zod';
import type { Repositories } from '../storage/repositories';
import type { AdminEvent } from '../storage/audit/admin-events';
import type { Clock } from '../shared/clock';
import { forbidden } from '../shared/errors';
import { validate } from '../shared/validation';
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
 * A change, declared once: the policy it is checked against (`action`), the code its audit rows
 * are stored under (`audit`; the action's name unless the action covers several acts), its schema
 * (Spanish per-field messages), how to load and lock its target, and what it changes. `after`
 * runs once the transaction has committed (Redis: identities, sessions).
 */
export interface CommandSpec<
  A extends Action,
  S extends z.ZodType,
  Target,
  Result,
  D extends CommandDeps,
> {
  action: A;
  /** admin_events.action of this command's rows: a stored code, never renamed. */
  audit?: string;
  schema: S;
  load(
    deps: D,
    input: z.infer<S>,
    transaction: Transaction,
    actor: Actor,
  ): Promise<{ target: Target; policyTarget: TargetOf<A>; audit: Partial<AuditEntry> }>;
  apply(
    deps: D,
    ctx: CommandContext<z.infer<S>, Target>,
  ): Promise<{ result: Result; audit: Partial<AuditEntry> }>;
  after?(deps: D, result: Result): Promise<void>;
}

/**
 * A runnable command: `(actor, input, meta)`, carrying its policy (what a route names, so that
 * the route and the command cannot disagree) and its audit code.
 */
export type Command<A extends Action, Input, Result, M extends CommandMeta = CommandMeta> = ((
  actor: Actor,
  input: Input,
  meta: M,
) => Promise<Result>) & { readonly action: A; readonly auditCode: string };

/** Gives a hand-written command its policy and audit code (see {@link Command}). */
export const named = <A extends Action, Input, Result, M extends CommandMeta = CommandMeta>(
  action: A,
  auditCode: string,
  run: (actor: Actor, input: Input, meta: M) => Promise<Result>,
): Command<A, Input, Result, M> => Object.assign(run, { action, auditCode });

const entry = (a: Partial<AuditEntry>): AuditEntry => ({
  targetType: a.targetType ?? null,
  targetId: a.targetId ?? null,
  targetUserId: a.targetUserId ?? null,
  details: a.details ?? {},
  regionIds: a.regionIds ?? [],
});

/**
 * Builds `(deps) => command`: authorize (gate) → validate → load and lock the target → authorize
 * on it → change and its admin_events row in ONE transaction. A refusal is recorded in a
 * transaction of its own (the refused change has none) and throws the forbidden error.
 */
export function defineCommand<
  A extends Action,
  S extends z.ZodType,
  Target,
  Result,
  D extends CommandDeps,
>(spec: CommandSpec<A, S, Target, Result, D>) {
  const auditCode = spec.audit ?? spec.action;
  return (deps: D): Command<A, unknown, Result> =>
    named(spec.action, auditCode, async (actor, rawInput, meta) => {
      const now = deps.clock.now();
      const row = (outcome: AdminEvent['outcome'], audit: AuditEntry): AdminEvent => ({
        occurredAt: now,
        actorUserId: actor.userId || null,
        actorUsername: actor.username || null,
        action: auditCode,
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
        if (!can(actor, spec.action, loaded.policyTarget)) {
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
    });
}
