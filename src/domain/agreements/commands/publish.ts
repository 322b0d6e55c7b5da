import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import type { AgreementVersionCache } from '../current-version';

const schema = z.object({
  title: z
    .string({ error: 'Escriba el título del acuerdo.' })
    .trim()
    .min(5, 'Escriba el título del acuerdo (al menos 5 caracteres).')
    .max(200, 'El título admite hasta 200 caracteres.'),
  body: z
    .string({ error: 'Escriba el texto del acuerdo.' })
    .trim()
    .min(100, 'El texto del acuerdo es demasiado corto (al menos 100 caracteres).')
    .max(20_000, 'El texto del acuerdo admite hasta 20.000 caracteres.'),
  /** The box "everyone accepts it again at their next page" ticked. */
  confirmed: z.literal('on', {
    error: 'Marque la casilla: todas las personas deberán aceptar esta versión.',
  }),
});

type Deps = CommandDeps & { agreementVersion: Pick<AgreementVersionCache, 'publish'> };

/**
 * A new version of the confidentiality agreement (action `agreement.publish`, global admins): the
 * next number, never an edit of a published one (what each person accepted stays readable).
 * After the commit the version in force changes in Redis, and every open session is asked to
 * accept it at its next page. The audit row keeps the title and the text's SHA-256.
 */
export const publishAgreement = defineCommand({
  action: 'agreement.publish',
  schema,
  async load(deps: Deps, _input, transaction) {
    await deps.repos.agreements.lockForPublish(transaction);
    const current = await deps.repos.agreements.current(transaction);
    return {
      target: current?.version ?? 0,
      policyTarget: undefined,
      audit: { targetType: 'agreement' },
    };
  },
  async apply(deps, { input, target: previous, transaction, actor, now }) {
    const version = previous + 1;
    await deps.repos.agreements.publish(
      {
        version,
        title: input.title,
        body: input.body,
        publishedAt: now,
        publishedByUserId: actor.userId || null,
        publishedByUsername: actor.username,
      },
      transaction,
    );
    return {
      result: { version },
      audit: {
        targetId: String(version),
        details: {
          version,
          title: input.title,
          sha256: createHash('sha256').update(input.body, 'utf8').digest('hex'),
          ...(previous ? { previousVersion: previous } : {}),
        },
      },
    };
  },
  async after(deps, { version }) {
    await deps.agreementVersion.publish(version);
  },
});
