import 'express-session';
import type {
  AuthenticatedSession,
  LastLoginNotice,
  PendingLogin,
  ReauthDemand,
} from '../../domain/sessions/types';
import type { ModuleLogoutEnd } from '../module-logout';

/**
 * What a browser's server-side session may hold (express-session's SessionData, typed): the
 * login's steps, the open session, the e-ID flow and one-time messages. Nothing else is read
 * from a session without going through these names.
 */
declare module 'express-session' {
  interface SessionData {
    pending?: PendingLogin;
    auth?: AuthenticatedSession;
    reauth?: ReauthDemand;
    /**
     * A one-time message for the next page (already in Spanish); `section`: the id of the part
     * of the page it belongs to (where the page jumps after a change).
     */
    flash?: { kind: 'info' | 'error'; text: string; section?: string };
    /**
     * A module's logout that went through the e-ID provider's logout: what /login shows when the
     * provider sends the browser back (src/areas/oidc).
     */
    afterModuleLogout?: ModuleLogoutEnd;
    /** The username the login form is filled in with once (after "¿Olvidó su contraseña?"). */
    loginUsername?: string;
    /** The previous login and the failures since, for the first home page after a login. */
    lastLoginNotice?: LastLoginNotice;
    /** Opaque per-protocol e-ID flow data (state, nonce, PKCE verifier), single use. */
    eidFlow?: Record<string, unknown>;
    /** Where an e-ID verification started from an open session comes back to (a local path). */
    eidReturnTo?: string;
    /** "¿Olvidó su contraseña?": the next e-ID login is for a new HIS password (epoch ms). */
    passwordReset?: { startedAt: number };
    /** The e-ID verified this person for a new HIS password; not a session (epoch ms). */
    passwordResetVerified?: { userId: number; verifiedAt: number };
  }
}
