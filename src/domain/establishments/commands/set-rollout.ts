import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { idField, rolloutDate } from './schema';

/** `regionId` absent: every región at once ("toda la red"). */
const schema = z.object({ regionId: idField.optional(), eidRequiredSince: rolloutDate });

/**
 * Sets the date from which the e-ID is mandatory for users who never used it (Res. MITIC
 * 553/2024's gradual adoption), for one región or every región; no date means the network
 * default (EID_REQUIRED_SINCE). The next classic login reads it: nothing cached to refresh.
 */
export const setRollout = defineCommand({
  action: 'regions.rollout',
  schema,
  async load(deps: CommandDeps, input, transaction) {
    const { regions } = deps.repos.establishments;
    let targets;
    if (input.regionId === undefined) targets = await regions.lockAll(transaction);
    else {
      const region = await regions.lockById(input.regionId, transaction);
      if (!region) throw notFound();
      targets = [region];
    }
    return {
      target: targets,
      policyTarget: undefined,
      audit: {
        targetType: input.regionId === undefined ? 'network' : 'region',
        targetId: input.regionId === undefined ? null : String(input.regionId),
        regionIds: targets.map((r) => r.id),
        details: { eidRequiredSince: input.eidRequiredSince },
      },
    };
  },
  async apply(deps, { input, target: targets, transaction }) {
    const { regions } = deps.repos.establishments;
    if (input.regionId === undefined)
      await regions.setEidRequiredSinceAll(input.eidRequiredSince, transaction);
    else
      await regions.update(
        input.regionId,
        { eidRequiredSince: input.eidRequiredSince },
        transaction,
      );
    return {
      result: { regions: targets.length, eidRequiredSince: input.eidRequiredSince },
      audit: {
        details:
          targets.length === 1 && input.regionId !== undefined
            ? {
                before: { eidRequiredSince: targets[0]!.eidRequiredSince },
                after: { eidRequiredSince: input.eidRequiredSince },
              }
            : {
                eidRequiredSince: input.eidRequiredSince,
                previous: targets.map((r) => ({
                  region: r.name,
                  eidRequiredSince: r.eidRequiredSince,
                })),
              },
      },
    };
  },
});
