import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { sameScope, type Grant, type Scope } from '../../../access/scope';
import { ROLES } from '../../../shared/roles';
import { ValidationError } from '../../../shared/validation';
import type { Repositories } from '../../../storage/repositories';
import type { Transaction } from 'sequelize';
import { loadUserTarget } from '../load-target';
import { parseScopeValue, SCOPE_VALUE, scopeValue } from '../scope-value';
import { userAudit, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

const CHOOSE_SCOPE = 'Seleccione dónde se aplica el rol.';

// Staff need no scope (as at creation): they work in their assigned establishments. Any other
// role names where it applies.
const schema = z
  .object({
    userId: userIdField,
    role: z.enum(ROLES, { error: 'Seleccione un rol.' }),
    scope: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  })
  .transform((input, ctx) => {
    if (input.role === 'staff') return { ...input, scope: 'global' };
    if (!input.scope || !SCOPE_VALUE.test(input.scope)) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: CHOOSE_SCOPE });
      return z.NEVER;
    }
    return { ...input, scope: input.scope };
  });

/** The scope a form value names, resolved against what exists (a región's id, a place's región). */
async function resolveScope(repos: Repositories, value: string, tx: Transaction): Promise<Scope> {
  const parsed = parseScopeValue(value);
  if (parsed.kind === 'global') return { kind: 'global' };
  if (parsed.kind === 'region') {
    const region = await repos.establishments.regions.findById(parsed.id, tx);
    if (region) return { kind: 'region', regionId: region.id };
  } else {
    const place = await repos.establishments.findById(parsed.id, tx);
    if (place)
      return { kind: 'establishment', establishmentId: place.id, regionId: place.regionId };
  }
  throw new ValidationError({ scope: CHOOSE_SCOPE });
}

const regionOf = (scope: Scope) => (scope.kind === 'global' ? [] : [scope.regionId]);

/**
 * Grants a role in a scope. The rule refuses a scope wider than the administrator's own and any
 * change to one's own roles. The user's open sessions hold the role from their next request.
 */
export const grantRole = defineCommand({
  action: 'users.grantRole',
  conceal: outsideScope,
  schema,
  async load(deps: UserCommandDeps, input, transaction) {
    const loaded = await loadUserTarget(deps.repos, input.userId, { transaction, lock: true });
    const grant: Grant = {
      role: input.role,
      scope: await resolveScope(deps.repos, input.scope, transaction),
    };
    return {
      target: { loaded, grant },
      policyTarget: { user: loaded.target, grant },
      audit: {
        ...userAudit(loaded, regionOf(grant.scope)),
        details: { grant: { role: grant.role, scope: scopeValue(grant.scope) } },
      },
    };
  },
  async apply(deps: UserCommandDeps, { target: { loaded, grant }, transaction }) {
    const held = loaded.target.grants.some(
      (g) => g.role === grant.role && sameScope(g.scope, grant.scope),
    );
    if (held) throw new ValidationError({ role: 'La persona ya tiene este rol en ese alcance.' });
    const { scope } = grant;
    const row = await deps.repos.users.addGrant(
      loaded.user.id,
      {
        role: grant.role,
        regionId: scope.kind === 'region' ? scope.regionId : null,
        establishmentId: scope.kind === 'establishment' ? scope.establishmentId : null,
      },
      transaction,
    );
    // The details replace load's (a shallow merge): say everything again, with the new row's id.
    const details = { grant: { id: row.id, role: grant.role, scope: scopeValue(scope) } };
    return { result: { userId: loaded.user.id }, audit: { details } };
  },
  after: (deps, { userId }) => deps.identities.refresh(userId),
});
