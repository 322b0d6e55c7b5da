import { isIP } from 'node:net';
import { z } from 'zod';
import { lenientCedula } from '../../shared/cedula';
import { endOfDayInZone, startOfDayInZone } from '../../shared/time';
import { validate, ValidationError, idField } from '../../shared/validation';
import { ACTION_LABELS, METHOD_LABELS, reasonCodes } from '../../domain/audit/labels';
import type {
  AdminFilters,
  CommonFilters,
  LoginFilters,
} from '../../storage/queries/history-types';

export type { AdminFilters, CommonFilters, LoginFilters };

const blankAsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsAbsent, schema.optional());
const id = (message: string) => optional(idField(message));
const oneOf = (codes: Readonly<Record<string, string>>, message: string) =>
  optional(z.string().refine((v) => Object.hasOwn(codes, v), { error: message }));
/** A day that exists ("2026-02-30" does not: Date would roll it over to March). */
const realDay = (v: string) => {
  const day = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === v;
};
const isoDate = (message: string) =>
  optional(
    z
      .string({ error: message })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: message })
      .refine((v) => realDay(v) && v >= '2000-01-01', {
        error: message,
      }),
  );

const common = {
  user: optional(
    z
      .string({ error: 'Escriba un nombre de usuario.' })
      .trim()
      .max(100, { error: 'El usuario admite hasta 100 caracteres.' })
      // PostgreSQL text cannot hold a NUL byte: no username has one, and the query would fail.
      .refine((v) => !v.includes('\u0000'), { error: 'Escriba un nombre de usuario.' })
      .transform((v) => v.toLowerCase()),
  ),
  userId: id('El enlace del usuario no es válido.'),
  document: optional(
    z
      .string({ error: 'Escriba una cédula.' })
      .max(20, { error: 'Escriba una cédula válida: solo números, con o sin puntos.' })
      .transform((v, ctx) => {
        const digits = lenientCedula(v);
        if (!digits)
          ctx.addIssue({
            code: 'custom',
            message: 'Escriba una cédula válida: solo números, con o sin puntos.',
          });
        return digits ?? '';
      }),
  ),
  establishment: id('Elija un establecimiento de la lista.'),
  region: id('Elija una región sanitaria de la lista.'),
  ip: optional(
    z
      .string({ error: 'Escriba una dirección IP.' })
      .trim()
      .refine((v) => v.length <= 45 && isIP(v) !== 0, {
        error: 'Escriba una dirección IP completa, por ejemplo 10.20.30.40.',
      }),
  ),
  from: isoDate('Elija una fecha válida.'),
  to: isoDate('Elija una fecha válida.'),
  // A page cursor is opaque: the query refuses one it did not issue (and the page starts over).
  after: z.preprocess(
    (v) => (typeof v === 'string' && v !== '' ? v : undefined),
    z.string().optional(),
  ),
};

const loginSchema = z.object({
  ...common,
  method: oneOf(METHOD_LABELS, 'Elija un método de la lista.'),
  outcome: optional(z.enum(['success', 'failure', 'info'], { error: 'Elija un resultado.' })),
  reason: optional(
    z.string().refine((v) => reasonCodes(v) !== null, { error: 'Elija un motivo de la lista.' }),
  ),
});

const adminSchema = z.object({
  ...common,
  action: oneOf(ACTION_LABELS, 'Elija una acción de la lista.'),
  outcome: optional(z.enum(['success', 'denied'], { error: 'Elija un resultado.' })),
});

/** The GET parameters of each screen, as they appear in its URL (and its CSV link). */
export const LOGIN_FILTER_NAMES = [
  'user',
  'userId',
  'document',
  'establishment',
  'region',
  'method',
  'outcome',
  'reason',
  'ip',
  'from',
  'to',
] as const;
export const ADMIN_FILTER_NAMES = [
  'user',
  'userId',
  'document',
  'establishment',
  'region',
  'action',
  'outcome',
  'ip',
  'from',
  'to',
] as const;

export type Parsed<F> =
  | { ok: true; filters: F; after?: string; values: Record<string, string> }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> };

function parse<F>(
  schema: z.ZodType,
  names: readonly string[],
  query: Record<string, unknown>,
  toFilters: (raw: Record<string, unknown>) => F,
): Parsed<F> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = query[name];
    if (typeof value === 'string' && value.trim() !== '') values[name] = value.trim();
  }
  try {
    const raw = validate(schema, query) as Record<string, unknown>;
    if (raw.from && raw.to && (raw.to as string) < (raw.from as string))
      throw new ValidationError({ to: 'La fecha final debe ser igual o posterior a la inicial.' });
    return { ok: true, filters: toFilters(raw), after: raw.after as string | undefined, values };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, errors: err.fields, values };
    throw err;
  }
}

const commonOf = (raw: Record<string, unknown>): CommonFilters => ({
  user: (raw.user as string | undefined) || undefined,
  userId: raw.userId as number | undefined,
  document: raw.document as string | undefined,
  establishmentId: raw.establishment as number | undefined,
  regionId: raw.region as number | undefined,
  ip: raw.ip as string | undefined,
  from: raw.from ? startOfDayInZone(raw.from as string) : undefined,
  to: raw.to ? endOfDayInZone(raw.to as string) : undefined,
});

/** /audit/logins (and .csv) query → filters, or per-field Spanish errors. */
export const parseLoginFilters = (query: Record<string, unknown>): Parsed<LoginFilters> =>
  parse(loginSchema, LOGIN_FILTER_NAMES, query, (raw) => ({
    ...commonOf(raw),
    method: raw.method as string | undefined,
    outcome: raw.outcome as LoginFilters['outcome'],
    reasons: raw.reason ? (reasonCodes(raw.reason as string) ?? undefined) : undefined,
  }));

/** /audit/admin-events (and .csv) query → filters, or per-field Spanish errors. */
export const parseAdminFilters = (query: Record<string, unknown>): Parsed<AdminFilters> =>
  parse(adminSchema, ADMIN_FILTER_NAMES, query, (raw) => ({
    ...commonOf(raw),
    action: raw.action as string | undefined,
    outcome: raw.outcome as AdminFilters['outcome'],
  }));

/** `path?…` with the filters typed (and a page cursor and its number when given). */
export function historyHref(
  path: string,
  names: readonly string[],
  values: Record<string, string>,
  after?: string,
  pageNumber?: number,
): string {
  const params = new URLSearchParams();
  for (const name of names) if (values[name]) params.set(name, values[name]);
  if (after) params.set('after', after);
  if (after && pageNumber && pageNumber > 1) params.set('page', String(pageNumber));
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
