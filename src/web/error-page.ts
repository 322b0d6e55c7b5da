import type { Actor } from '../access/actor';

/** Where the error page's button leads, and what it says. */
export interface WayBack {
  href: string;
  label: string;
}

/** What the error page says beyond the error's own message: a clearer one, and a way back. */
export interface ErrorPage {
  /** Replaces the page's generic heading ("Página no encontrada") where it can say more. */
  heading?: string;
  /** Replaces the generic message of a 403 or 404 where the path tells what was asked for. */
  message?: string;
  back: WayBack;
}

const has = (actor: Actor | undefined, role: 'admin' | 'auditor') =>
  Boolean(actor?.grants.some((g) => g.role === role));

/**
 * The 404s of the admin pages name what was not found. An id outside the admin's scope answers
 * exactly like an unknown one (no existence oracle, DESIGN §7), so the words cover both.
 */
const NOT_FOUND: [RegExp, string, string, WayBack][] = [
  [
    /^\/admin\/users\/\d+$/,
    'Persona no encontrada',
    'No encontramos a esta persona entre las cuentas que usted administra: puede no existir, o trabajar solo en establecimientos fuera de su alcance.',
    { href: '/admin/users', label: 'Volver a Usuarios' },
  ],
  [
    /^\/admin\/users\/\d+\//,
    'No se encontró lo que quiso cambiar',
    'No encontramos lo que quiso cambiar: puede que ya no exista (una sesión que terminó, un rol o un establecimiento que otro administrador quitó) o que esté fuera de su alcance. Abra la persona de nuevo desde la lista.',
    { href: '/admin/users', label: 'Volver a Usuarios' },
  ],
  [
    /^\/admin\/establishments\/\d+/,
    'Establecimiento no encontrado',
    'No encontramos este establecimiento entre los que usted administra: puede no existir, o pertenecer a una región fuera de su alcance.',
    { href: '/admin/establishments', label: 'Volver a Establecimientos' },
  ],
  [
    /^\/admin\/regions\/\d+/,
    'Región no encontrada',
    'No encontramos esta región entre las que usted administra.',
    { href: '/admin/regions', label: 'Volver a Regiones' },
  ],
];

/**
 * The error page for `status` at `path`, as the person asking sees it: a signed-in person keeps
 * the header and gets a way back into the area they were in; a visitor is led to the login.
 * Only the generic "forbidden" and "not found" messages are replaced; any other error keeps its
 * own words.
 */
export function errorPage(
  path: string,
  status: number,
  code: string | undefined,
  actor: Actor | undefined,
): ErrorPage {
  const signedIn = Boolean(actor && actor.userId !== 0);
  const home: WayBack = signedIn
    ? { href: '/', label: 'Volver al inicio' }
    : { href: '/login', label: 'Ir al inicio de sesión' };
  if (status === 404 && code === 'not_found' && signedIn && has(actor, 'admin')) {
    const known = NOT_FOUND.find(([pattern]) => pattern.test(path));
    if (known) return { heading: known[1], message: known[2], back: known[3] };
  }
  if (status === 403 && code === 'forbidden' && signedIn) {
    if (path.startsWith('/admin'))
      return has(actor, 'admin')
        ? {
            message:
              'Su rol de administrador no alcanza para esta acción: corresponde a un administrador de toda la red o de otra región. Si la necesita, consúltele.',
            back: { href: '/admin/users', label: 'Volver a Administración' },
          }
        : {
            message:
              'Esta sección es para administradores del HIS, y su cuenta no tiene ese rol. Si lo necesita, solicítelo al administrador de su Región Sanitaria.',
            back: home,
          };
    if (path.startsWith('/audit'))
      return {
        message: has(actor, 'auditor')
          ? 'Su rol de auditor no alcanza a lo que pidió: corresponde a otra región.'
          : 'Esta sección es para auditores, y su cuenta no tiene ese rol.',
        back: has(actor, 'auditor') ? { href: '/audit/logins', label: 'Volver a Auditoría' } : home,
      };
  }
  if (path.startsWith('/admin') && signedIn && has(actor, 'admin'))
    return { back: { href: '/admin/users', label: 'Volver a Administración' } };
  if (path.startsWith('/audit') && signedIn && has(actor, 'auditor'))
    return { back: { href: '/audit/logins', label: 'Volver a Auditoría' } };
  return { back: home };
}
