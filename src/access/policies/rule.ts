import type { Actor } from '../actor';

/**
 * One action's rule: `gate` says whether the actor may attempt the action at all (what a route
 * checks before loading anything); `allows` decides on the loaded target (what a command checks).
 */
export interface Rule<Target> {
  gate(actor: Actor): boolean;
  allows(actor: Actor, target: Target): boolean;
}

/** A rule that needs no target. */
export const gateOnly = (gate: (actor: Actor) => boolean): Rule<void> => ({
  gate,
  allows: (actor) => gate(actor),
});
