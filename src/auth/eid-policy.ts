import type { Config } from '../config';
import type { ReauthPolicy } from './reauth/eid-reauth';

/**
 * Whether the e-ID provider currently answers. The e-ID issue's health probe implements it;
 * until a probe reports otherwise the provider is taken as available (no degraded mode).
 */
export interface EidStatus {
  available(): boolean;
}

export const alwaysAvailable: EidStatus = { available: () => true };

/** The re-auth policy of the configuration, with the provider's current availability. */
export function reauthPolicy(config: Config, status: EidStatus): ReauthPolicy {
  return {
    staleAfterMonths: config.eid.staleAfterMonths,
    reauthAfterMonths: config.eid.reauthAfterMonths,
    requiredSince: config.eid.requiredSince,
    providerAvailable: status.available(),
    degradedMode: config.eid.degradedMode,
  };
}
