import { z } from 'zod';
import { ROLES } from '../../../shared/roles';
import { validate, ValidationError, idField } from '../../../shared/validation';
import { USER_SORTS } from '../../../storage/queries/user-search';

/** The users list's GET parameters: names in the URL, values as the form sends them. */
export const FILTER_NAMES = [
  'q',
  'establishment',
  'region',
  'role',
  'status',
  'eid',
  'locked',
  'expiring',
  'sort',
] as const;

// An empty field of a submitted GET form means "any".
const blankAsAbsent = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsAbsent, schema.optional());
const id = (message: string) => optional(idField(message));

const schema = z.object({
  q: optional(
    z
      .string({ error: 'Escriba un nombre, usuario o cédula.' })
      .trim()
      .max(100, { error: 'La búsqueda admite hasta 100 caracteres.' }),
  ),
  establishment: id('Elija un establecimiento de la lista.'),
  region: id('Elija una región sanitaria de la lista.'),
  role: optional(z.enum(ROLES, { error: 'Elija un rol de la lista.' })),
  status: optional(z.enum(['active', 'disabled'], { error: 'Elija un estado de la lista.' })),
  eid: optional(z.enum(['verified', 'stale', 'never'], { error: 'Elija un estado de la lista.' })),
  locked: optional(z.literal('si', { error: 'Marque o desmarque la casilla.' })),
  expiring: optional(z.literal('si', { error: 'Marque o desmarque la casilla.' })),
  sort: optional(z.enum(USER_SORTS, { error: 'Elija un orden de la lista.' })),
  // A page cursor is opaque: the search refuses one it did not issue (and the route starts over).
  after: z.preprocess(
    (v) => (typeof v === 'string' && v !== '' ? v : undefined),
    z.string().optional(),
  ),
});

export type ListFilters = z.infer<typeof schema>;

export type ParsedFilters =
  | { ok: true; filters: ListFilters; values: Record<string, string> }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> };

/**
 * Reads the filters from the query string. `values` echoes what was typed (for the form and the
 * "Siguiente página" link); a value that does not parse is reported beside its field.
 */
export function parseListFilters(query: Record<string, unknown>): ParsedFilters {
  const values: Record<string, string> = {};
  for (const name of FILTER_NAMES) {
    const value = query[name];
    if (typeof value === 'string' && value !== '') values[name] = value;
  }
  try {
    return { ok: true, filters: validate(schema, query), values };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, errors: err.fields, values };
    throw err;
  }
}

/** `/admin/users?…` with the current filters (and a page cursor and its number when given). */
export function listHref(values: Record<string, string>, after?: string, page?: number): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) if (values[name]) params.set(name, values[name]);
  if (after) params.set('after', after);
  if (after && page && page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/admin/users?${query}` : '/admin/users';
}

/** Whether any filter narrows the list (the empty-result message differs). */
export const isFiltered = (values: Record<string, string>) =>
  FILTER_NAMES.some((name) => name !== 'sort' && Boolean(values[name]));
