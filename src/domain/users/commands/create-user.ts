import type { Transaction } from 'sequelize';
import { AuditedRefusal, defineCommand, type CommandDeps } from '../../../access/command';
import type { Actor } from '../../../access/actor';
import { managesUser } from '../../../access/policies/users';
import { loadUserTarget } from '../load-target';
import type { Grant, Scope } from '../../../access/scope';
import { hashPassword } from '../../passwords/hashing';
import type { EstablishmentRecord } from '../../../storage/establishments';
import { generateOneTimePassword } from '../../passwords/one-time';
import { checkNewPassword } from '../../passwords/policy';
import { ValidationError } from '../../../shared/validation';
import { newUserSchema, type NewUserInput as Input } from '../create-user-schema';
import { validityEnd } from '../validity';
import type { UserRecord } from '../../../storage/users';

/** The new account, with its one-time password in clear text for the one page that shows it. */
export interface CreatedUser {
  user: UserRecord;
  /** Null for an e-ID-only account. Shown once, never stored (only its hash is). */
  oneTimePassword: string | null;
  establishments: EstablishmentRecord[];
  grant: Grant;
}

/**
 * What creating an account is built from. `initialPassword` exists only where an operator types
 * the account's password (the CLI's `user:add --password-stdin`): the screen never sets one, so an
 * administrator never chooses a password that stays.
 */
export interface CreateUserDeps extends CommandDeps {
  initialPassword?: string;
}

const invalidField = (field: keyof Input | 'password', message: string) =>
  new ValidationError({ [field]: message });

/** A staff role has no scope (staff reach their establishments); others, the one chosen. */
async function resolveScope(
  deps: CommandDeps,
  input: Input,
  transaction: Transaction,
): Promise<Scope> {
  const [kind, id] = (input.role === 'staff' ? 'global' : (input.roleScope ?? '')).split(':');
  if (kind === 'global') return { kind: 'global' };
  const notOffered = () => invalidField('roleScope', 'Elija dónde se aplica el rol de la lista.');
  if (kind === 'region') {
    const region = await deps.repos.establishments.regions.findById(Number(id), transaction);
    if (!region) throw notOffered();
    return { kind: 'region', regionId: region.id };
  }
  const place = await deps.repos.establishments.findById(Number(id), transaction);
  if (!place) throw notOffered();
  return { kind: 'establishment', establishmentId: place.id, regionId: place.regionId };
}

/** What the audit row says about the account (and, when refused, about the attempt). */
const describe = (input: Input, places: EstablishmentRecord[], grant: Grant) => ({
  ...(input.validUntil ? { validUntil: input.validUntil } : {}),
  username: input.username,
  documentNumber: input.documentNumber,
  fullName: input.fullName,
  establishments: places.map((p) => ({ id: p.id, code: p.code })),
  role: grant.role,
  scope: grant.scope,
  accountKind: input.accountKind,
});

/** Which unique column a concurrent creation took first (Sequelize names it in `fields`). */
function duplicateOf(err: unknown): ValidationError | null {
  const e = err as { name?: string; fields?: Record<string, unknown> } | null;
  if (e?.name !== 'SequelizeUniqueConstraintError') return null;
  if (e.fields && 'document_number' in e.fields)
    return invalidField('documentNumber', 'Ya existe un usuario con esa cédula.');
  return invalidField('username', 'Ese nombre de usuario ya está en uso. Elija otro.');
}

/** Said of a username or cédula someone outside the creator's scope holds: not who. */
export const TAKEN_ELSEWHERE = 'No se puede usar ese dato; consulte a un administrador de la red.';

/**
 * Refuses a username or cédula already in use. Of a person the creator manages, the message says
 * so plainly; of someone outside their scope it confirms nothing about who (an existence oracle
 * across regiones otherwise) and the attempt is audited.
 */
async function refuseTaken(
  deps: CreateUserDeps,
  actor: Actor,
  input: Input,
  target: { places: EstablishmentRecord[]; grant: Grant },
  transaction: Transaction,
): Promise<void> {
  const holders = {
    username: await deps.repos.users.findByUsername(input.username, transaction),
    documentNumber: await deps.repos.users.findByDocument(input.documentNumber, transaction),
  };
  const fields: Record<string, string> = {};
  let elsewhere = false;
  for (const [field, holder] of Object.entries(holders) as [keyof typeof holders, unknown][]) {
    const user = holder as { id: number } | null;
    if (!user) continue;
    const known = managesUser(
      actor,
      (await loadUserTarget(deps.repos, user.id, { transaction })).target,
    );
    elsewhere ||= !known;
    fields[field] = !known
      ? TAKEN_ELSEWHERE
      : field === 'username'
        ? 'Ese nombre de usuario ya está en uso. Elija otro.'
        : 'Ya existe un usuario con esa cédula.';
  }
  if (!Object.keys(fields).length) return;
  if (!elsewhere) throw new ValidationError(fields);
  throw new AuditedRefusal(
    {
      targetType: 'user',
      details: {
        ...describe(input, target.places, target.grant),
        refused: 'taken_outside_scope',
        fields: Object.keys(fields),
      },
      regionIds: [...new Set(target.places.map((p) => p.regionId))],
    },
    new ValidationError(fields),
  );
}

/**
 * Creates an account from the administration (action `users.create`): inside the creator's scope
 * (the rule decides on its establishments and initial role), with a random one-time password that
 * must be changed at first login, or e-ID only without any password. The administrator never
 * chooses a password; the audit row records the account, never the password.
 */
export const createUserCommand = defineCommand({
  action: 'users.create',
  schema: newUserSchema,
  async load(deps: CreateUserDeps, input, transaction) {
    const ids = [...new Set(input.establishmentIds)];
    const places = (await deps.repos.establishments.lockByIds(ids, transaction)).sort((a, b) =>
      a.name.localeCompare(b.name, 'es'),
    );
    if (places.length !== ids.length || places.some((p) => !p.active))
      throw invalidField('establishmentIds', 'Seleccione establecimientos activos de la lista.');
    const grant: Grant = { role: input.role, scope: await resolveScope(deps, input, transaction) };
    const regionIds = new Set(places.map((p) => p.regionId));
    if (grant.scope.kind !== 'global') regionIds.add(grant.scope.regionId);
    return {
      target: { places, grant },
      policyTarget: { places: places.map(({ id, regionId }) => ({ id, regionId })), grant },
      audit: {
        targetType: 'user',
        details: describe(input, places, grant),
        regionIds: [...regionIds],
      },
    };
  },
  async apply(deps, { input, target, transaction, actor, now }) {
    await refuseTaken(deps, actor, input, target, transaction);
    const validUntil = validityEnd(input.validUntil ?? null, now, 'validUntil');

    // The same policy as /me/password for a password an operator chose.
    const chosen = deps.initialPassword;
    const problem = chosen === undefined ? null : checkNewPassword(chosen, input);
    if (problem) throw invalidField('password', problem.message);
    const oneTimePassword =
      chosen === undefined && input.accountKind === 'password' ? generateOneTimePassword() : null;
    const password = chosen ?? oneTimePassword;
    const user = await deps.repos.users
      .create(
        {
          username: input.username,
          documentNumber: input.documentNumber,
          fullName: input.fullName,
          email: input.email ?? null,
          passwordHash: password === null ? null : await hashPassword(password),
          mustChangePassword: oneTimePassword !== null,
          validUntil,
        },
        transaction,
      )
      .catch((err: unknown) => {
        throw duplicateOf(err) ?? err;
      });
    const { scope } = target.grant;
    await deps.repos.users.addGrant(
      user.id,
      {
        role: target.grant.role,
        regionId: scope.kind === 'region' ? scope.regionId : null,
        establishmentId: scope.kind === 'establishment' ? scope.establishmentId : null,
      },
      transaction,
    );
    await deps.repos.users.assignEstablishments(
      user.id,
      target.places.map((p) => p.id),
      transaction,
    );
    return {
      result: { user, oneTimePassword, establishments: target.places, grant: target.grant },
      audit: {
        targetId: String(user.id),
        targetUserId: user.id,
        // A password the operator chose (never the password itself): said apart from the two
        // kinds the screen offers.
        ...(chosen === undefined
          ? {}
          : {
              details: {
                ...describe(input, target.places, target.grant),
                accountKind: 'operatorPassword',
              },
            }),
      },
    };
  },
});
