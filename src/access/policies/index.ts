import type { Actor } from '../actor';
import { establishmentRules } from './establishments';
import { regionRules } from './regions';
import { sessionRules } from './sessions';
import { auditRules } from './audit';
import { observabilityRules } from './observability';
import { userRules } from './users';
import { agreementRules } from './agreements';
import { reviewRules } from './reviews';
import { moduleRules } from './modules';
import type { Rule } from './rule';

/** Every rule, by action name: the one table routes and commands check against. */
export const RULES = {
  ...sessionRules,
  ...userRules,
  ...establishmentRules,
  ...regionRules,
  ...auditRules,
  ...observabilityRules,
  ...agreementRules,
  ...reviewRules,
  ...moduleRules,
};

export type Action = keyof typeof RULES;
export type TargetOf<A extends Action> = (typeof RULES)[A] extends Rule<infer T> ? T : never;

/** Whether the actor may attempt the action at all (no target loaded yet). */
export const gate = (actor: Actor, action: Action): boolean => RULES[action].gate(actor);

/** Whether the actor may perform the action on this target. Pure; no I/O. */
export function can<A extends Action>(actor: Actor, action: A, target: TargetOf<A>): boolean {
  const rule = RULES[action] as Rule<TargetOf<A>>;
  return rule.gate(actor) && rule.allows(actor, target);
}
