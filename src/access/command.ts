import type { Transaction } from 'sequelize';
import type { z } from 'zod';
import type { Repositories } from '../storage/repositories';
import type { AdminEvent } from '../storage/audit/admin-events';
import type { Clock } from '../shared/clock';
import { AppError, forbidden, notFound } from '../shared/errors';
import { validate } from '../shared/validation';
import { regionsOf, type Actor } from './actor';
import { can, gate, type Action, type TargetOf } from './policies';

/** Who asked, from where: what every audit row carries. */
export interface CommandMeta {
  ip: string | null;
  userAgent: string | null;
  /** The admin areas' e-ID step-up was skipped (provider down): flagged in the row's details. */
  stepUpSkipped?: boolean;
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
  /** Where the request came from (what every audit row of the change records). */
  meta: { ip: string | null; userAgent: string | null };
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
  /**
   * Whether a refused target is one the actor may not even know of (a user outside their scope):
   * the refusal is then answered like an unknown id (404), still audited as denied.
   */
  conceal?(actor: Actor, target: TargetOf<A>): boolean;
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

/**
 * Thrown by a command's `load` or `apply` to refuse with a message of its own (`error`) and leave
 * a denied admin_events row saying why (`audit`), in a transaction of its own: the change's is
 * rolled back. For refusals that are themselves worth auditing (an attempt on data outside the
 * actor's scope), beyond the policy's.
 */
export class AuditedRefusal extends Error {
  constructor(
    readonly audit: Partial<AuditEntry>,
    readonly error: AppError,
  ) {
    super(error.message);
  }
}

/**
 * The audit fields of a change a person makes to their own account ("Mis accesos", the
 * agreement, their password): the person is the target, and the row is visible to the auditors
 * of the regiones they work in.
 */
export const ownAccountAudit = (actor: Actor): Partial<AuditEntry> => ({
  targetType: 'user',
  targetId: String(actor.userId),
  targetUserId: actor.userId,
  regionIds: [...new Set(actor.establishments.map((p) => p.regionId))],
});

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
      const { stepUpSkipped, ...where } = meta;
      const row = (outcome: AdminEvent['outcome'], audit: AuditEntry): AdminEvent => ({
        occurredAt: now,
        actorUserId: actor.userId || null,
        actorUsername: actor.username || null,
        action: auditCode,
        outcome,
        establishmentId: actor.establishmentId,
        ip: where.ip,
        userAgent: where.userAgent,
        ...audit,
        ...(stepUpSkipped ? { details: { ...audit.details, eidStepUpSkipped: true } } : {}),
      });
      /** A denied row, visible to the auditors of the target's and of the actor's regiones. */
      const deny = (audit: Partial<AuditEntry>) => {
        const regionIds = [...new Set([...(audit.regionIds ?? []), ...regionsOf(actor)])];
        return deps.repos.transaction((tx) =>
          deps.repos.adminEvents.append(row('denied', entry({ ...audit, regionIds })), tx),
        );
      };
      const refuse = async (audit: Partial<AuditEntry>, concealed = false): Promise<never> => {
        await deny(audit);
        throw concealed ? notFound() : forbidden();
      };
      if (!gate(actor, spec.action)) return refuse({});
      const input = validate(spec.schema, rawInput);
      let denied: { audit: Partial<AuditEntry>; concealed: boolean } | null = null;
      const result = await deps.repos
        .transaction(async (transaction) => {
          const loaded = await spec.load(deps, input, transaction, actor);
          if (!can(actor, spec.action, loaded.policyTarget)) {
            const concealed = spec.conceal?.(actor, loaded.policyTarget) ?? false;
            denied = { audit: loaded.audit, concealed };
            return null;
          }
          const done = await spec.apply(deps, {
            actor,
            input,
            target: loaded.target,
            now,
            transaction,
            meta: { ip: where.ip, userAgent: where.userAgent },
          });
          await deps.repos.adminEvents.append(
            row('success', entry({ ...loaded.audit, ...done.audit })),
            transaction,
          );
          return { value: done.result };
        })
        .catch(async (err: unknown) => {
          if (!(err instanceof AuditedRefusal)) throw err;
          await deny(err.audit);
          throw err.error;
        });
      const refused = denied as { audit: Partial<AuditEntry>; concealed: boolean } | null;
      if (!result) return refuse(refused?.audit ?? {}, refused?.concealed);
      await spec.after?.(deps, result.value);
      return result.value;
    });
}
