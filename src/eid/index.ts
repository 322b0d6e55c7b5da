import type { Config } from '../config';
import { createMiticProvider } from './mitic';
import { createOidcProvider } from './oidc';
import type { EidProvider } from './provider';

/** The provider adapter chosen by EID_PROTOCOL. */
export function createEidProvider(config: Config): EidProvider {
  return config.eid.protocol === 'oidc'
    ? createOidcProvider(config.eid, config.env === 'production')
    : createMiticProvider(config.eid);
}
