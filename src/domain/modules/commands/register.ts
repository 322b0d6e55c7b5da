import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';

/** An absolute http(s) URI without a fragment (OpenID Connect's rule for redirect URIs). */
const uri = (what: string) =>
  z
    .string({ error: `Indique la dirección de ${what}.` })
    .trim()
    .max(500, `La dirección de ${what} admite hasta 500 caracteres.`)
    .refine((v) => {
      try {
        const u = new URL(v);
        return ['https:', 'http:'].includes(u.protocol) && !u.hash && !v.includes('#');
      } catch {
        return false;
      }
    }, `La dirección de ${what} debe ser una URL http(s) completa, sin «#».`);

const schema = z.object({
  name: z
    .string({ error: 'Escriba el nombre del módulo.' })
    .trim()
    .min(2, 'Escriba el nombre del módulo.')
    .max(100, 'El nombre admite hasta 100 caracteres.'),
  redirectUris: z
    .array(uri('retorno'))
    .min(1, 'Indique al menos una dirección de retorno.')
    .max(10, 'Hasta 10 direcciones de retorno.'),
  postLogoutRedirectUris: z.array(uri('retorno al cerrar sesión')).max(10).default([]),
  backchannelLogoutUri: uri('cierre de sesión (back-channel)').nullable().default(null),
});

/** A secret of 256 bits, shown once. */
export const newClientSecret = () => randomBytes(32).toString('base64url');

/**
 * Registers an HIS module as a confidential client of the OpenID Provider (action
 * `modules.register`): a random client_id and secret, its exact redirect URIs, post-logout URIs
 * and back-channel logout URI. The secret is returned once; the audit row never holds it.
 */
export const registerModule = defineCommand({
  action: 'modules.register',
  schema,
  async load() {
    return { target: null, policyTarget: undefined, audit: { targetType: 'oidc_client' } };
  },
  async apply(deps: CommandDeps, { input, transaction, now }) {
    const clientId = `his-${randomBytes(9)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`;
    const clientSecret = newClientSecret();
    await deps.repos.oidcClients.insert(
      {
        clientId,
        name: input.name,
        clientSecret,
        redirectUris: input.redirectUris,
        postLogoutRedirectUris: input.postLogoutRedirectUris,
        backchannelLogoutUri: input.backchannelLogoutUri,
        createdAt: now,
      },
      transaction,
    );
    return {
      result: { clientId, clientSecret },
      audit: {
        targetId: clientId,
        details: {
          name: input.name,
          redirectUris: input.redirectUris,
          postLogoutRedirectUris: input.postLogoutRedirectUris,
          backchannelLogoutUri: input.backchannelLogoutUri,
        },
      },
    };
  },
});
