import type { ClosedSession } from '../../domain/sessions/closed-sessions';

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

/**
 * What the login page tells a person whose session someone else ended (the reason was left by
 * whatever ended it: src/domain/sessions/closed-sessions.ts).
 */
export function closedNotice({ reason, establishmentName, movedTo }: ClosedSession): string {
  const place = establishmentName
    ? `El establecimiento «${establishmentName}»`
    : 'El establecimiento';
  switch (reason) {
    case 'admin_ended':
      return 'Un administrador cerró su sesión. Puede iniciar sesión nuevamente.';
    case 'disabled':
      return 'Su cuenta fue desactivada y su sesión se cerró. Si cree que es un error, consulte al administrador del HIS de su Región Sanitaria.';
    case 'password_reset':
      return 'Un administrador restableció su contraseña y cerró su sesión. Ingrese con la contraseña de un solo uso que le entregó, o con la Identidad Electrónica.';
    case 'password_changed':
      return 'Su contraseña del HIS se cambió con la Identidad Electrónica y sus sesiones se cerraron. Inicie sesión con la contraseña nueva.';
    case 'closed_elsewhere':
      return 'Esta sesión se cerró desde otro equipo con «Cerrar mis otras sesiones». Puede iniciar sesión nuevamente.';
    case 'account_expired':
      return 'Su cuenta llegó a su fecha de vencimiento y su sesión se cerró. Si sigue trabajando en la red, consulte al administrador del HIS de su Región Sanitaria.';
    case 'assignment_expired':
      return `Su asignación a ${establishmentName ? `«${establishmentName}»` : 'el establecimiento'} llegó a su fecha de vencimiento y su sesión en él se cerró. Inicie sesión y elija otro establecimiento, o consulte a un administrador.`;
    case 'establishment_deactivated':
      return `${place} fue desactivado y su sesión en él se cerró. Inicie sesión y elija otro establecimiento, o consulte a un administrador.`;
    case 'establishment_unassigned':
      return `Un administrador le quitó ${establishmentName ? `«${establishmentName}»` : 'el establecimiento'} de su cuenta y su sesión en él se cerró. Inicie sesión y elija otro establecimiento.`;
    case 'establishment_moved':
      return `Un administrador lo trasladó de «${establishmentName ?? 'su establecimiento'}» a «${movedTo ?? 'otro establecimiento'}» y su sesión se cerró. Inicie sesión y elija el nuevo establecimiento.`;
    case 'establishment_unavailable':
      return 'El establecimiento en el que trabajaba ya no está disponible para su cuenta (fue desactivado o se lo quitaron) y su sesión se cerró. Inicie sesión y elija otro establecimiento.';
  }
}
