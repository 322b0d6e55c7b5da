import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import type { Actor } from '../../../access/actor';
import { scopesOf } from '../../../access/actor';
import { coversScope } from '../../../access/scope';
import { managesWholly, outranksUser } from '../../../access/policies/users';
import type { IdentityCache } from '../../sessions/identity-cache';
import type { AdminEvent } from '../../../storage/audit/admin-events';
import { ValidationError } from '../../../shared/validation';
import { addMonthsInZone, isoDateInZone, endOfDayInZone } from '../../../shared/time';
import { MAX_VALIDITY_MONTHS } from '../validity';
import { hashPassword } from '../../passwords/hashing';
import { generateOneTimePassword } from '../../passwords/one-time';
import {
  cedulasOf,
  planUserImport,
  type ExistingAccount,
  type UserImportPlan,
} from '../import-plan';
import type { Repositories } from '../../../storage/repositories';
import type { Transaction } from 'sequelize';

const schema = z.object({
  fileName: z.string().max(255).default('personal.csv'),
  text: z.string({ error: 'Seleccione el archivo CSV.' }),
  /** Give the new accounts one-time passwords (shown once); e-ID only otherwise. */
  oneTimePasswords: z.boolean().default(false),
});

type Deps = CommandDeps & { identities: Pick<IdentityCache, 'refresh'> };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Plans a staff file against the database as `actor` may act on it: their scope decides which
 * establishments the file may name, whose existing account it may update and which roles it may
 * grant. The preview's plan and the command's (inside its transaction) are the same function.
 */
export async function planUsersFile(
  repos: Repositories,
  actor: Actor,
  text: string,
  now: Date,
  transaction?: Transaction,
): Promise<UserImportPlan> {
  const adminScopes = scopesOf(actor, 'admin');
  const [establishments, regions, usernames] = await Promise.all([
    repos.establishments.listAll(transaction),
    repos.establishments.regions.listAll(transaction),
    repos.users.allUsernames(),
  ]);
  const regionName = new Map(regions.map((r) => [r.id, r.name]));
  const places = new Map(
    establishments.map((e) => [
      e.code,
      {
        id: e.id,
        code: e.code,
        name: e.name,
        regionId: e.regionId,
        region: regionName.get(e.regionId) ?? '',
        active: e.active,
        inScope: adminScopes.some((s) =>
          coversScope(s, { kind: 'establishment', establishmentId: e.id, regionId: e.regionId }),
        ),
      },
    ]),
  );
  const placeById = new Map(establishments.map((e) => [e.id, e]));
  const found = await repos.users.byCedulas(cedulasOf(text));
  const byCedula = new Map<string, ExistingAccount>(
    found.map((u) => {
      const target = {
        id: u.id,
        places: u.establishmentIds.flatMap((id) => {
          const p = placeById.get(id);
          return p ? [{ id, regionId: p.regionId }] : [];
        }),
        grants: u.grants.map((g) => ({
          role: g.role,
          scope: g.establishmentId
            ? {
                kind: 'establishment' as const,
                establishmentId: g.establishmentId,
                regionId: placeById.get(g.establishmentId)?.regionId ?? 0,
              }
            : g.regionId
              ? { kind: 'region' as const, regionId: g.regionId }
              : { kind: 'global' as const },
        })),
      };
      return [
        u.documentNumber,
        {
          id: u.id,
          username: u.username,
          documentNumber: u.documentNumber,
          fullName: u.fullName,
          email: u.email,
          validUntil: u.validUntil ? new Date(u.validUntil) : null,
          establishmentIds: u.establishmentIds,
          roles: u.grants.map((g) => g.role),
          manageable: managesWholly(actor, target) && outranksUser(actor, target),
        },
      ];
    }),
  );
  return planUserImport(text, {
    byCedula,
    usernamesInUse: usernames,
    places,
    today: isoDateInZone(now),
    latestDay: isoDateInZone(addMonthsInZone(now, MAX_VALIDITY_MONTHS)),
    canGrant: (role, regionId) =>
      role === 'staff' || adminScopes.some((s) => coversScope(s, { kind: 'region', regionId })),
  });
}

/** What the importer sees after applying: one line per new account (and its password, if any). */
export interface ImportedAccount {
  userId: number;
  username: string;
  fullName: string;
  documentNumber: string;
  oneTimePassword: string | null;
}

/**
 * Applies a staff file all or nothing (action `users.import`): planned again in the transaction,
 * refused whole when any line is wrong; new accounts created (e-ID only unless one-time passwords
 * are asked for, each shown once on the answer, stored only as its hash), existing ones (by
 * cédula) given the new data, establishments and role. One admin_events row per account —
 * `users.create` or `users.update`, naming the file — plus this command's own row for the file.
 */
export const importUsers = defineCommand({
  action: 'users.import',
  schema,
  async load(deps: Deps, input, transaction, actor) {
    // One import at a time: the usernames proposed and the cédulas matched hold until the commit.
    await deps.repos.users.lockForImport(transaction);
    const plan = await planUsersFile(deps.repos, actor, input.text, deps.clock.now(), transaction);
    const regionIds = [
      ...new Set(plan.rows.flatMap((r) => r.establishments.map((p) => p.regionId))),
    ];
    return {
      target: plan,
      policyTarget: undefined,
      audit: {
        targetType: 'user_file',
        regionIds,
        details: { fileName: input.fileName, sha256: sha256(input.text), counts: plan.counts },
      },
    };
  },
  async apply(deps, { input, target: plan, transaction, actor, now, meta }) {
    if (plan.errors.length) {
      const first = plan.errors[0]!;
      throw new ValidationError({
        file: `El archivo tiene ${plan.errors.length} ${plan.errors.length === 1 ? 'error' : 'errores'} (el primero en la línea ${first.line}: ${first.message}). No se importó nada.`,
      });
    }
    const creating = plan.rows.filter((r) => r.action === 'create');
    const passwords = input.oneTimePasswords ? creating.map(() => generateOneTimePassword()) : [];
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    const ids = await deps.repos.users.createMany(
      creating.map((r, i) => ({
        username: r.username,
        documentNumber: r.documentNumber,
        fullName: r.fullName,
        email: r.email,
        passwordHash: hashes[i] ?? null,
        mustChangePassword: hashes[i] !== undefined,
        validUntil: r.validUntil ? endOfDayInZone(r.validUntil) : null,
      })),
      transaction,
    );
    const updating = plan.rows.filter((r) => r.action === 'update');
    for (const r of updating)
      await deps.repos.users.update(
        r.existingId!,
        {
          fullName: r.fullName,
          email: r.email,
          validUntil: r.validUntil ? endOfDayInZone(r.validUntil) : null,
        },
        transaction,
      );
    const userOf = (r: (typeof plan.rows)[number], i: number) =>
      r.action === 'create' ? ids[i]! : r.existingId!;
    await deps.repos.users.assignMany(
      [
        ...creating.flatMap((r, i) =>
          r.establishments.map((p): [number, number] => [ids[i]!, p.id]),
        ),
        ...updating.flatMap((r) =>
          r.establishments.map((p): [number, number] => [r.existingId!, p.id]),
        ),
      ],
      transaction,
    );
    const grantOf = (r: (typeof plan.rows)[number], userId: number) => ({
      userId,
      role: r.role,
      regionId: r.role === 'staff' ? null : (r.establishments[0]?.regionId ?? null),
    });
    await deps.repos.users.grantMany(
      [
        ...creating.map((r, i) => grantOf(r, ids[i]!)),
        ...updating
          .filter((r) => r.changes.some((c) => c.startsWith('se agrega el rol')))
          .map((r) => grantOf(r, r.existingId!)),
      ],
      transaction,
    );
    const event = (
      r: (typeof plan.rows)[number],
      userId: number,
      action: string,
      details: Record<string, unknown>,
    ): AdminEvent => ({
      occurredAt: now,
      actorUserId: actor.userId || null,
      actorUsername: actor.username,
      action,
      outcome: 'success',
      targetType: 'user',
      targetId: String(userId),
      targetUserId: userId,
      details: { ...details, fileName: input.fileName },
      establishmentId: actor.establishmentId,
      regionIds: [...new Set(r.establishments.map((p) => p.regionId))],
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
    await deps.repos.adminEvents.appendMany(
      [
        ...creating.map((r, i) =>
          event(r, userOf(r, i), 'users.create', {
            username: r.username,
            documentNumber: r.documentNumber,
            fullName: r.fullName,
            establishments: r.establishments.map((p) => ({ id: p.id, code: p.code })),
            role: r.role,
            accountKind: hashes[i] ? 'password' : 'eid',
            ...(r.validUntil ? { validUntil: r.validUntil } : {}),
          }),
        ),
        ...updating.map((r) => event(r, r.existingId!, 'users.update', { changes: r.changes })),
      ],
      transaction,
    );
    const accounts: ImportedAccount[] = creating.map((r, i) => ({
      userId: ids[i]!,
      username: r.username,
      fullName: r.fullName,
      documentNumber: r.documentNumber,
      oneTimePassword: passwords[i] ?? null,
    }));
    return {
      result: { plan, accounts, updated: updating.map((r) => r.existingId!) },
      audit: {},
    };
  },
  async after(deps, result) {
    if (result.updated.length) await deps.identities.refresh(...result.updated);
  },
});
