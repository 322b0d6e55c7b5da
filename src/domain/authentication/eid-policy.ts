import type { Config } from '../../config';
import type { ReauthPolicy } from './eid-reauth';
import { alwaysAvailable, type EidStatus } from '../../eid/status';

export { alwaysAvailable, type EidStatus };

/**
 * The re-auth policy of the configuration, with the provider's current availability. The rollout
 * date is the network's (EID_REQUIRED_SINCE) unless a user's regiones set their own.
 */
export function reauthPolicy(
  config: Config,
  status: EidStatus,
  requiredSince: string | null = config.eid.requiredSince,
): ReauthPolicy {
  return {
    staleAfterMonths: config.eid.staleAfterMonths,
    reauthAfterMonths: config.eid.reauthAfterMonths,
    requiredSince,
    providerAvailable: status.available(),
    degradedMode: config.eid.degradedMode,
  };
}

/**
 * The date from which the e-ID is mandatory for a user: the earliest among the regiones of their
 * establishments (a región without its own date uses the network's), else the network's.
 */
export const eidRequiredSinceFor =
  (
    config: Config,
    regions: {
      eidRequiredSinceFor(userId: number, networkDefault: string | null): Promise<string | null>;
    },
  ) =>
  async (userId: number): Promise<string | null> =>
    (await regions.eidRequiredSinceFor(userId, config.eid.requiredSince)) ??
    config.eid.requiredSince;
