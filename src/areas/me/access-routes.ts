import { Router } from 'express';
import type { MeDeps } from './deps';
import { takeFlash } from '../../web/session/ops';
import { sessionHandle } from '../../domain/sessions/session-index';
import { browserName } from '../../shared/browser-name';
import { formatDateTime } from '../../shared/time';
import { agreementStatus } from '../../domain/agreements/status';
import {
  ACCESS_HISTORY_DAYS,
  ACCESS_PAGE_SIZE,
  accessRow,
  decodeKey,
  encodeKey,
} from './access-history';

/**
 * GET /me/access ("Mis accesos"), for every signed-in person: their open sessions (with
 * "Cerrar las otras sesiones", POST /me/sessions/close-others) and their own logins and failed
 * attempts of the last 30 days, newest first, 50 a page.
 */
export function accessRoutes(deps: MeDeps) {
  const router = Router();

  router.get('/access', deps.policy('authenticated'), async (req, res) => {
    const { userId } = res.locals.actor;
    const now = deps.clock.now();
    const since = new Date(now.getTime() - ACCESS_HISTORY_DAYS * 86_400_000);
    const failuresOnly = req.query.ver === 'fallidos';
    const before = decodeKey(req.query.antes);
    const [events, counts, open, acceptances, agreement] = await Promise.all([
      deps.repos.loginEvents.ownHistory(userId, {
        since,
        before: before ?? undefined,
        failuresOnly,
        limit: ACCESS_PAGE_SIZE + 1,
      }),
      deps.repos.loginEvents.ownCounts(userId, since),
      deps.sessions.summaries(userId),
      deps.repos.agreements.acceptancesOf(userId),
      deps.repos.agreements.current(),
    ]);
    const page = events.slice(0, ACCESS_PAGE_SIZE);
    const last = page[page.length - 1];
    const view = failuresOnly ? '&ver=fallidos' : '';

    // Names of the sessions' establishments: the assigned ones are in the cached identity; a
    // session may still name one unassigned since (until its next request ends it).
    const identity = res.locals.user!;
    const names = new Map(identity.establishments.map((e) => [e.id, e.name]));
    const missing = open.map((s) => s.establishmentId).filter((id) => !names.has(id));
    if (missing.length)
      for (const e of await deps.repos.establishments.findByIds(missing)) names.set(e.id, e.name);
    const current = sessionHandle(req.sessionID);

    res.render('me/access', {
      title: 'Mis accesos',
      flash: takeFlash(req),
      agreement: agreementStatus(acceptances, agreement?.version ?? 0),
      days: ACCESS_HISTORY_DAYS,
      counts,
      failuresOnly,
      rows: page.map(accessRow),
      olderHref:
        events.length > ACCESS_PAGE_SIZE && last
          ? `/me/access?antes=${encodeURIComponent(encodeKey(last))}${view}#historial`
          : null,
      newestHref: before ? `/me/access${view ? `?${view.slice(1)}` : ''}#historial` : null,
      staleCursor: typeof req.query.antes === 'string' && !before,
      // This session first, then the others, most recently active first.
      sessions: [
        ...open.filter((s) => s.handle === current),
        ...open.filter((s) => s.handle !== current),
      ].map((s) => ({
        current: s.handle === current,
        establishment: names.get(s.establishmentId) ?? '—',
        startedAt: formatDateTime(new Date(s.createdAt)),
        lastSeenAt: formatDateTime(new Date(s.lastSeenAt)),
        ip: s.ip ?? '—',
        browser: browserName(s.userAgent),
      })),
    });
  });

  return router;
}
