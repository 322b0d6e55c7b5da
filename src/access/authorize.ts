import { forbidden } from '../shared/errors';
import type { Actor } from './actor';
import { can, type Action, type TargetOf } from './policies';

/** Throws the one forbidden error unless the actor may perform the action on the target. */
export function authorize<A extends Action>(actor: Actor, action: A, target: TargetOf<A>): void {
  if (!can(actor, action, target)) throw forbidden();
}
