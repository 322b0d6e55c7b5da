/**
 * The notices the login page shows for the codes the app itself puts in its URL: `?expired=idle`
 * and `?expired=absolute` (src/web/session/timeouts.ts), `?bye=1` (logout). A Map, not an object
 * literal: `?expired=constructor` must not find Object's own properties.
 */
const NOTICES = new Map<string, string>([
  ['expired=idle', 'Su sesión se cerró por inactividad. Inicie sesión nuevamente.'],
  [
    'expired=absolute',
    'Su sesión alcanzó la duración máxima de un turno. Inicie sesión nuevamente.',
  ],
  ['bye=1', 'Cerró su sesión correctamente.'],
]);

/** The notice for the login page's query, or undefined for anything else (never its text). */
export function loginNotice(query: Record<string, unknown>): string | undefined {
  for (const name of ['expired', 'bye']) {
    const value = query[name];
    if (typeof value === 'string') {
      const notice = NOTICES.get(`${name}=${value}`);
      if (notice) return notice;
    }
  }
  return undefined;
}
