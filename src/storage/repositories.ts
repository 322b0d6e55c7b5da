import type { Sequelize, Transaction } from 'sequelize';
import { defineModels } from '../db/models';
import { createUserRepository } from './users';
import { createEstablishmentRepository } from './establishments';
import { createIdentityRepository } from './eid-identities';
import { appendAdminEvent, appendAdminEvents, type AdminEvent } from './audit/admin-events';
import { createLoginEventRepository } from './login-events';
import { createAgreementRepository } from './agreements';
import { createAccessReviewRepository } from './access-reviews';
import { createOidcClientRepository } from './oidc-clients';

/**
 * Every repository, built once from the connection in the composition root and passed down:
 * feature code reaches the database only through these.
 */
export function createRepositories(sequelize: Sequelize) {
  const models = defineModels(sequelize);
  return {
    users: createUserRepository(models),
    establishments: createEstablishmentRepository(models),
    identities: createIdentityRepository(models),
    /** The confidentiality agreement's versions and acceptances. */
    agreements: createAgreementRepository(sequelize),
    /** Periodic access reviews and their decisions. */
    accessReviews: createAccessReviewRepository(sequelize),
    /** The HIS modules registered with the OpenID Provider. */
    oidcClients: createOidcClientRepository(sequelize),
    /** Reads of one user's login history; rows are appended by src/domain/audit/recorder.ts. */
    loginEvents: createLoginEventRepository(sequelize),
    adminEvents: {
      append: (event: AdminEvent, transaction: Transaction) =>
        appendAdminEvent(sequelize, event, transaction),
      /** Many rows in one go (a bulk import's row per account), chained in the given order. */
      appendMany: (events: AdminEvent[], transaction: Transaction) =>
        appendAdminEvents(sequelize, events, transaction),
    },
    /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
    transaction: <T>(work: (transaction: Transaction) => Promise<T>): Promise<T> =>
      sequelize.transaction(work),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
