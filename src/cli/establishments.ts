import { readFileSync } from 'node:fs';
import { AppError } from '../shared/errors';
import type { Repositories } from '../storage/repositories';
import type { Clock } from '../shared/clock';
import type { Actor } from '../access/actor';
import type { IdentityCache } from '../domain/sessions/identity-cache';
import { createEstablishment } from '../domain/establishments/commands/create-establishment';
import { importEstablishments } from '../domain/establishments/commands/import-establishments';
import { planAgainst } from '../domain/establishments/apply-import';
import {
  isApplicable,
  nothingChangedText,
  unconfirmedRegions,
} from '../domain/establishments/import-plan';
import { unconfirmedMessage } from '../domain/establishments/commands/import-establishments';
import { countText } from '../shared/words';
import { asCli, required, strict } from './args';
import { CLI_META } from './actor';

const invalid = (message: string) => new AppError('invalid_input', 400, message);

interface Ctx {
  repos: Repositories;
  clock: Clock;
  actor: Actor;
}

/** `establishment:add`: the screen's "Nuevo establecimiento", its región named (created when new). */
export async function addEstablishment(args: string[], ctx: Ctx): Promise<string> {
  const { values } = strict(args, {
    code: { type: 'string' },
    name: { type: 'string' },
    region: { type: 'string' },
  });
  const input = {
    code: required(values, 'code'),
    name: required(values, 'name'),
    regionName: required(values, 'region'),
  };
  const created = await asCli(
    { code: '--code', name: '--name', regionName: '--region', regionId: '--region' },
    () => createEstablishment(ctx)(ctx.actor, input, CLI_META),
  );
  const region = created.regionCreated ? `\nSe creó la región ${created.regionName}.` : '';
  return `Establecimiento ${created.code} creado.${region}`;
}

/**
 * `establishment:import FILE [--create-region NAME]…`: the screen's import command on a file (the
 * same plan: by code, all or nothing, the same file twice changes nothing; a new región only when
 * named with --create-region). Every bad row is listed before anything is
 * written; the cached identities of the people of updated establishments are refreshed after.
 */
export async function importEstablishmentFile(
  args: string[],
  ctx: Ctx & { identities: Pick<IdentityCache, 'refresh'> },
): Promise<string> {
  const { positionals, values } = strict(args, {
    'create-region': { type: 'string', multiple: true },
  });
  const createRegions = (values['create-region'] as string[] | undefined) ?? [];
  const file = positionals[0];
  if (!file) throw invalid('Indique el archivo CSV: establishment:import archivo.csv');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(`No se pudo leer ${file}: ${(err as Error).message}`);
  }
  // Every error at once (the command stops at the first): the file is fixed in one go.
  const preview = await planAgainst(ctx.repos, text);
  if (!isApplicable(preview)) {
    const lines = preview.errors.map((e) => `Fila ${e.line}: ${e.message}`);
    throw invalid(`${lines.join('\n')}\nNo se importó nada.`);
  }
  // The screen's rule: a región the file names that does not exist is created only when asked.
  const unconfirmed = unconfirmedRegions(preview, createRegions);
  if (unconfirmed.length) {
    const hints = unconfirmed.flatMap((r) =>
      r.suggestion ? [`¿«${r.name}» es «${r.suggestion}»? Corrija el archivo.`] : [],
    );
    throw invalid(
      [
        unconfirmedMessage(unconfirmed),
        ...hints,
        `Para crear${unconfirmed.length === 1 ? 'la' : 'las'}: ${unconfirmed.map((r) => `--create-region "${r.name}"`).join(' ')}`,
      ].join('\n'),
    );
  }
  const fileName = file.split(/[\\/]/).pop()!.slice(0, 255);
  const { plan } = await asCli({}, () =>
    importEstablishments(ctx)(ctx.actor, { fileName, text, createRegions }, CLI_META),
  );
  const { create, update, unchanged } = plan.counts;
  return create + update === 0
    ? nothingChangedText(unchanged)
    : `${countText(create + update, 'establecimiento importado', 'establecimientos importados')}. Nuevos: ${create}, actualizados: ${update}, sin cambios: ${unchanged}.`;
}
