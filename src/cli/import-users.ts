import { readFileSync } from 'node:fs';
import type { Repositories } from '../storage/repositories';
import type { Clock } from '../shared/clock';
import type { Actor } from '../access/actor';
import type { IdentityCache } from '../domain/sessions/identity-cache';
import { AppError } from '../shared/errors';
import { formatCedula } from '../shared/cedula';
import { importUsers, planUsersFile } from '../domain/users/commands/import-users';
import type { UserImportPlan } from '../domain/users/import-plan';
import { asCli, strict } from './args';
import { CLI_META } from './actor';

const invalid = (message: string) => new AppError('invalid_input', 400, message);

const ACTION_WORDS = { create: 'nueva', update: 'actualizar', unchanged: 'sin cambios' } as const;

/** The preview as lines: what each line of the file does. */
function planLines(plan: UserImportPlan): string[] {
  return plan.rows.map((r) => {
    const what =
      r.action === 'create'
        ? `${r.role} · ${r.establishments.map((p) => p.code).join(', ')}${r.validUntil ? ` · válida hasta ${r.validUntil}` : ''}`
        : r.changes.join('; ');
    return `Línea ${r.line}: ${ACTION_WORDS[r.action]} · ${formatCedula(r.documentNumber)} ${r.fullName} (${r.username})${what ? ` · ${what}` : ''}`;
  });
}

const countsLine = ({ create, update, unchanged }: UserImportPlan['counts']) =>
  `Cuentas nuevas: ${create}, actualizadas: ${update}, sin cambios: ${unchanged}.`;

/**
 * `user:import FILE [--dry-run] [--one-time-passwords]`: the screen's staff import on a file, the
 * same plan (by cédula, all or nothing, the same file twice changes nothing). Every refused line is
 * listed before anything is written; `--dry-run` prints the preview and writes nothing. The new
 * accounts are e-ID-only unless `--one-time-passwords`, whose passwords are printed once here.
 */
export async function importUserFile(
  args: string[],
  ctx: {
    repos: Repositories;
    clock: Clock;
    actor: Actor;
    identities: Pick<IdentityCache, 'refresh'>;
  },
): Promise<string> {
  const { positionals, values } = strict(args, {
    'dry-run': { type: 'boolean' },
    'one-time-passwords': { type: 'boolean' },
  });
  const file = positionals[0];
  if (!file) throw invalid('Indique el archivo CSV: user:import personal.csv');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(`No se pudo leer ${file}: ${(err as Error).message}`);
  }
  const preview = await planUsersFile(ctx.repos, ctx.actor, text, ctx.clock.now());
  if (preview.errors.length) {
    const lines = preview.errors.map((e) => `Línea ${e.line}: ${e.message}`);
    throw invalid(`${lines.join('\n')}\nNo se importó nada.`);
  }
  if (values['dry-run'])
    return [
      ...planLines(preview),
      `${countsLine(preview.counts)} Prueba (--dry-run): no se guardó nada.`,
    ].join('\n');
  const fileName = file.split(/[\\/]/).pop()!.slice(0, 255);
  const result = await asCli({}, () =>
    importUsers(ctx)(
      ctx.actor,
      { fileName, text, oneTimePasswords: values['one-time-passwords'] === true },
      CLI_META,
    ),
  );
  const passwords = result.accounts
    .filter((a) => a.oneTimePassword)
    .map((a) => `${a.username}\t${formatCedula(a.documentNumber)}\t${a.oneTimePassword}`);
  return [
    `Importación aplicada. ${countsLine(result.plan.counts)}`,
    ...(passwords.length
      ? [
          'Contraseñas de un solo uso (se muestran solo esta vez; se cambian al primer ingreso):',
          ...passwords,
        ]
      : []),
  ].join('\n');
}
