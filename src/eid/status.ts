/**
 * Whether the e-ID provider currently answers: the monitor (src/eid/monitor.ts) decides it on
 * evidence shared by all instances; without one the provider is taken as available.
 */
export interface EidStatus {
  available(): boolean;
}

export const alwaysAvailable: EidStatus = { available: () => true };
