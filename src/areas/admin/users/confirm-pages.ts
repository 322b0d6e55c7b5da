import type { Request } from 'express';
import type { Actor } from '../../../access/actor';
import { notFound } from '../../../shared/errors';
import { countText } from '../../../shared/words';
import type { AdminDeps } from '../deps';
import { loadDetailPage, type DetailPage } from './detail-page';

/**
 * What a confirmation page says before an act that cannot be undone in one click: what will
 * happen, to whom, and what it changes for them ("Se cerrarán 3 sesiones abiertas"). Its form
 * posts to the act's own route, with the same fields the detail page used to send.
 */
export interface Confirmation {
  title: string;
  /** Who it is about: "María González (mgonzalez), cédula 1.234.567". */
  subject: string;
  consequences: string[];
  /** What reaches beyond the admin's scope, or why the act is not offered. */
  notes: string[];
  /** Null when the act is not allowed to this admin (the notes say why). */
  action: string | null;
  fields: Record<string, string>;
  button: string;
  back: string;
}

const sessionsText = (n: number) =>
  n === 0
    ? 'No tiene sesiones abiertas en este momento.'
    : `Se ${n === 1 ? 'cerrará' : 'cerrarán'} ${countText(n, 'sesión abierta', 'sesiones abiertas')}: la persona verá «Un administrador cerró su sesión» al volver.`;

type Builder = (
  page: DetailPage,
  req: Request,
  deps: AdminDeps,
) => Promise<Omit<Confirmation, 'subject' | 'back'>> | Omit<Confirmation, 'subject' | 'back'>;

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The acts of the user detail page that ask first, by the path segment of their page. */
export const USER_CONFIRMATIONS: Record<string, Builder> = {
  disable: (page) => ({
    title: 'Deshabilitar la cuenta',
    consequences: [
      'La persona no podrá iniciar sesión de ninguna forma (ni con usuario y contraseña ni con la Identidad Electrónica) hasta que un administrador habilite la cuenta.',
      sessionsText(page.sessions.length),
    ],
    notes: [],
    action:
      page.may.disable && page.person.active ? `/admin/users/${page.person.id}/disable` : null,
    fields: {},
    button: 'Deshabilitar la cuenta',
  }),
  password: (page) => ({
    title: 'Restablecer la contraseña',
    consequences: [
      'Se generará una contraseña de un solo uso, que verá una sola vez para entregarla a la persona; al ingresar con ella deberá elegir una nueva.',
      'La contraseña actual dejará de funcionar.',
      sessionsText(page.sessions.length),
    ],
    notes: [],
    action: page.may.resetPassword ? `/admin/users/${page.person.id}/password` : null,
    fields: {},
    button: 'Restablecer la contraseña',
  }),
  'sessions-end': (page, req) => {
    const session = page.sessions.find((s) => s.handle === text(req.query.session));
    if (!session) throw notFound();
    return {
      title: 'Cerrar una sesión',
      consequences: [
        `Se cerrará la sesión iniciada el ${session.startedAt} en ${session.establishment} (${session.browser}, IP ${session.ip}); su última actividad fue el ${session.lastSeenAt}.`,
        'La persona verá «Un administrador cerró su sesión» y podrá volver a ingresar. Sus otras sesiones siguen abiertas.',
      ],
      notes: [],
      action: page.may.endSessions ? `/admin/users/${page.person.id}/sessions/end` : null,
      fields: { session: session.handle },
      button: 'Cerrar esta sesión',
    };
  },
  'sessions-end-all': (page) => ({
    title: 'Cerrar todas las sesiones',
    consequences: [sessionsText(page.sessions.length), 'La persona podrá volver a ingresar.'],
    notes: [],
    action: page.may.endSessions ? `/admin/users/${page.person.id}/sessions/end-all` : null,
    fields: {},
    button: 'Cerrar todas las sesiones',
  }),
  'roles-remove': (page, req) => {
    const grant = page.grants.find((g) => String(g.id) === text(req.query.grantId));
    if (!grant) throw notFound();
    const notes = grant.canRemove
      ? []
      : [
          `Este rol alcanza ${grant.scope}, más allá de lo que usted administra: solo un administrador de ese alcance puede quitarlo.`,
        ];
    return {
      title: 'Quitar un rol',
      consequences: [
        `Se quitará el rol ${grant.role} en ${grant.scope}. Rige desde la próxima acción de la persona, sin que tenga que volver a ingresar.`,
      ],
      notes,
      action: grant.canRemove ? `/admin/users/${page.person.id}/roles/remove` : null,
      fields: { grantId: String(grant.id) },
      button: 'Quitar el rol',
    };
  },
  'establishments-remove': async (page, req, deps) => {
    const place = page.establishments.find((e) => String(e.id) === text(req.query.establishmentId));
    if (!place) throw notFound();
    const open = await deps.sessions.countIn(page.person.id, place.id);
    const others = page.establishments.filter((e) => e.id !== place.id && e.active);
    return {
      title: 'Quitar un establecimiento',
      consequences: [
        `Se quitará ${place.name} (Región ${place.region}) de los establecimientos de la persona.`,
        open === 0
          ? 'No tiene sesiones abiertas en ese establecimiento.'
          : `Se ${open === 1 ? 'cerrará' : 'cerrarán'} ${countText(open, 'sesión abierta', 'sesiones abiertas')} en ese establecimiento; las de otros establecimientos siguen.`,
        others.length
          ? `Seguirá trabajando en ${others.map((e) => e.name).join(', ')}.`
          : 'Es su único establecimiento activo: no podrá iniciar sesión hasta que se le asigne otro.',
      ],
      notes: place.canRemove
        ? []
        : [
            'Ese establecimiento está fuera de su alcance: solo un administrador que lo alcance puede quitarlo.',
          ],
      action: place.canRemove ? `/admin/users/${page.person.id}/establishments/remove` : null,
      fields: { establishmentId: String(place.id) },
      button: 'Quitar el establecimiento',
    };
  },
};

/** The confirmation page of `what` for the user `userId`, as this actor may see it. */
export async function userConfirmation(
  deps: AdminDeps,
  actor: Actor,
  userId: number,
  what: string,
  req: Request,
): Promise<Confirmation & { page: DetailPage }> {
  const build = Object.hasOwn(USER_CONFIRMATIONS, what) ? USER_CONFIRMATIONS[what] : undefined;
  if (!build) throw notFound();
  const page = await loadDetailPage(deps, actor, userId);
  const built = await build(page, req, deps);
  return {
    ...built,
    // The page's notices about the person's reach beyond the admin's scope, said before acting.
    notes: [...built.notes, ...page.limits],
    subject: `${page.person.fullName} (${page.person.username}), cédula ${page.person.cedula}`,
    back: `/admin/users/${userId}`,
    page,
  };
}
