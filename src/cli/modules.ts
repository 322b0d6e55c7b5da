import { newSigningKey } from '../areas/oidc/provider';
import type { Repositories } from '../storage/repositories';
import type { Clock } from '../shared/clock';
import type { Actor } from '../access/actor';
import { registerModule } from '../domain/modules/commands/register';
import { disableModule, enableModule } from '../domain/modules/commands/set-enabled';
import { rotateModuleSecret } from '../domain/modules/commands/rotate-secret';
import { asCli, optional, required, strict } from './args';
import { CLI_META } from './actor';

interface Ctx {
  repos: Repositories;
  clock: Clock;
  actor: Actor;
}

/**
 * `client:add --name NAME --redirect-uri URI [--redirect-uri URI…] [--post-logout-redirect-uri URI…]
 * [--backchannel-logout-uri URI]`: registers an HIS module with the OpenID Provider through the
 * command the screens use (`modules.register`, audited). Prints `client_id: …` and
 * `client_secret: …` on lines of their own: the secret is shown this once.
 */
export async function addClient(args: string[], ctx: Ctx): Promise<string> {
  const { values } = strict(args, {
    name: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    'backchannel-logout-uri': { type: 'string' },
  });
  const name = required(values, 'name');
  const done = await asCli(
    {
      name: '--name',
      redirectUris: '--redirect-uri',
      postLogoutRedirectUris: '--post-logout-redirect-uri',
      backchannelLogoutUri: '--backchannel-logout-uri',
    },
    () =>
      registerModule(ctx)(
        ctx.actor,
        {
          name,
          redirectUris: (values['redirect-uri'] as string[] | undefined) ?? [],
          postLogoutRedirectUris:
            (values['post-logout-redirect-uri'] as string[] | undefined) ?? [],
          backchannelLogoutUri: optional(values, 'backchannel-logout-uri') ?? null,
        },
        CLI_META,
      ),
  );
  return [
    `Módulo registrado: ${name}`,
    `client_id: ${done.clientId}`,
    `client_secret: ${done.clientSecret}`,
    `Discovery: <BASE_URL>/oidc/.well-known/openid-configuration`,
  ].join('\n');
}

/** `client:disable CLIENT_ID` / `client:enable CLIENT_ID`. */
export const toggleClient =
  (enabled: boolean) =>
  async (args: string[], ctx: Ctx): Promise<string> => {
    const { positionals } = strict(args, {});
    const clientId = positionals[0];
    if (!clientId) throw new Error('Indique el client_id del módulo.');
    await (enabled ? enableModule : disableModule)(ctx)(ctx.actor, { clientId }, CLI_META);
    return enabled ? `Módulo ${clientId} habilitado.` : `Módulo ${clientId} deshabilitado.`;
  };

/** `client:rotate-secret CLIENT_ID`: a new secret, printed once; the old one stops working. */
export async function rotateClientSecret(args: string[], ctx: Ctx): Promise<string> {
  const { positionals } = strict(args, {});
  const clientId = positionals[0];
  if (!clientId) throw new Error('Indique el client_id del módulo.');
  const done = await rotateModuleSecret(ctx)(ctx.actor, { clientId }, CLI_META);
  return [`client_id: ${done.clientId}`, `client_secret: ${done.clientSecret}`].join('\n');
}

/**
 * `keys:generate`: a new ES256 signing key for the OpenID Provider, as the JWKS line for
 * OIDC_PROVIDER_JWKS. To rotate, put the new key first and keep the old one after it (it still
 * verifies tokens issued before) until those have expired.
 */
export async function generateProviderKey(): Promise<string> {
  return `OIDC_PROVIDER_JWKS='${JSON.stringify({ keys: [await newSigningKey()] })}'`;
}
