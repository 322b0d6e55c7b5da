import type { Actor } from '../access/actor';
import type { Identity, IdentityPlace } from '../access/identity';
import type { BadgeView } from '../domain/badges/eid-badge';
import type { AuthenticatedSession } from '../domain/sessions/types';
import type { ClosedSession } from '../domain/sessions/closed-sessions';

/**
 * What the pipeline leaves in `res.locals` for the routes and the views, typed once (Express's
 * `Locals`), so no route reads it through a cast.
 */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares Locals here
  namespace Express {
    interface Locals {
      /** Who is asking: ANONYMOUS until the session's identity says otherwise (web/session/identify.ts). */
      actor: Actor;
      /** The signed-in person's cached identity; absent without a session. */
      user?: Identity;
      /** The establishment the session works in. */
      establishment?: IdentityPlace;
      auth?: AuthenticatedSession;
      /** The header's e-ID badge of the signed-in person. */
      badge?: BadgeView;
      /** The CSRF token for a form of this page. */
      csrf?: () => string;
      /** Degraded mode (the e-ID provider is down): every page shows the banner. */
      eidDegraded?: boolean;
      /** Why an upload was not taken (too large, several files), for the form to show. */
      uploadError?: string;
      /** The admin areas' e-ID step-up was skipped: the provider is down (web/step-up.ts). */
      stepUpSkipped?: boolean;
      /** The login page's notice: why someone else ended the session the cookie named. */
      sessionClosed?: ClosedSession;
      /** The matched route's full pattern, for the metrics' `route` label (web/policy.ts). */
      routePattern?: string;
      /** The admin menu offers "Módulos del HIS" (network-wide admins; src/areas/admin). */
      canManageModules?: boolean;
      /** Whether `res.redirect` already waits for the regenerated session to be stored. */
      savesBeforeRedirect?: boolean;
    }
  }
}

export {};
