import { AppError } from '../shared/errors';
import { ROLES } from '../shared/roles';
import type { Repositories } from '../storage/repositories';
import type { Clock } from '../shared/clock';
import type { Actor } from '../access/actor';
import { regionCode } from '../domain/establishments/codes';
import { createUserCommand } from '../domain/users/commands/create-user';
import { asCli, optional, readStdin, required, strict } from './args';
import { CLI_META } from './actor';

const invalid = (message: string) => new AppError('invalid_input', 400, message);

/** The form field each option fills, for the messages of the command it runs. */
const OPTION_OF: Record<string, string> = {
  fullName: '--name',
  documentNumber: '--document',
  username: '--username',
  email: '--email',
  establishmentIds: '--establishment',
  role: '--role',
  roleScope: '--scope',
  password: '--password-stdin',
  validUntil: '--valid-until',
};

/** `region:NAME` / `establishment:CODE` as the command's scope value (`region:ID`…). */
export async function scopeValue(repos: Repositories, scope: string | undefined): Promise<string> {
  if (!scope) return 'global';
  const [kind, ...rest] = scope.split(':');
  const value = rest.join(':').trim();
  if (kind === 'region' && value) {
    const region = await repos.establishments.regions.findByCode(regionCode(value));
    if (!region) throw invalid(`Región desconocida: ${value}.`);
    return `region:${region.id}`;
  }
  if (kind === 'establishment' && value) {
    const place = await repos.establishments.findByCode(value.toUpperCase());
    if (!place) throw invalid(`Establecimiento desconocido: ${value}.`);
    return `establishment:${place.id}`;
  }
  throw invalid(`Alcance inválido "${scope}": use region:NOMBRE o establishment:CÓDIGO.`);
}

/**
 * `user:add`: the administration's "Crear usuario" command with the CLI's actor. Without a
 * password the account is e-ID-only; `--password-stdin` sets a password that must pass the same
 * policy as /me/password; `--one-time-password` issues one as the screen does, printed once;
 * `--valid-until YYYY-MM-DD` ends the account after that day (temporary staff).
 */
export async function addUser(
  args: string[],
  ctx: { repos: Repositories; clock: Clock; actor: Actor },
): Promise<string> {
  const { values } = strict(args, {
    username: { type: 'string' },
    document: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    scope: { type: 'string' },
    email: { type: 'string' },
    establishment: { type: 'string', multiple: true },
    'password-stdin': { type: 'boolean' },
    'one-time-password': { type: 'boolean' },
    'valid-until': { type: 'string' },
  });
  const input = {
    username: required(values, 'username'),
    documentNumber: required(values, 'document'),
    fullName: required(values, 'name'),
    role: required(values, 'role'),
    email: optional(values, 'email'),
    // Temporary staff: the last valid day (YYYY-MM-DD).
    validUntil: optional(values, 'valid-until'),
  };
  if (!(ROLES as readonly string[]).includes(input.role))
    throw invalid(`Rol inválido "${input.role}": use ${ROLES.join(', ')}.`);
  if (values['password-stdin'] && values['one-time-password'])
    throw invalid('Use --password-stdin o --one-time-password, no ambas.');
  const password = values['password-stdin'] ? await readStdin() : undefined;
  if (password === '')
    throw invalid(
      'La contraseña está vacía. Omita --password-stdin para crear una cuenta solo con Identidad Electrónica.',
    );
  const codes = [
    ...new Set(
      ((values.establishment as string[] | undefined) ?? []).map((c) => c.trim().toUpperCase()),
    ),
  ];
  const places = codes.length ? await ctx.repos.establishments.findByCodes(codes) : [];
  const missing = codes.filter((c) => !places.some((p) => p.code === c));
  if (missing.length) throw invalid(`Establecimiento desconocido: ${missing.join(', ')}.`);

  const roleScope =
    input.role === 'staff' ? undefined : await scopeValue(ctx.repos, optional(values, 'scope'));
  const create = createUserCommand({ ...ctx, initialPassword: password });
  const created = await asCli(OPTION_OF, () =>
    create(
      ctx.actor,
      {
        ...input,
        establishmentIds: places.map((p) => p.id),
        roleScope,
        accountKind: values['one-time-password'] || password !== undefined ? 'password' : 'eid',
      },
      CLI_META,
    ),
  );
  const name = created.user.username;
  if (created.oneTimePassword)
    return `Usuario ${name} creado.\nContraseña de un solo uso (se muestra solo esta vez; se cambia al primer ingreso): ${created.oneTimePassword}`;
  return `Usuario ${name} creado${password === undefined ? ' (solo Identidad Electrónica)' : ''}.`;
}
