import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Provider } from 'oidc-provider';
import type { Config } from '../../config';
import type { Policy } from '../../web/policy';
import type { Logger } from '../../shared/logger';
import type { Clock } from '../../shared/clock';
import type { RedisClientType } from 'redis';
import type { Repositories } from '../../storage/repositories';
import type { SessionIndex } from '../../domain/sessions/session-index';
import type { SsoRegistry, SsoSignIn } from '../../domain/sessions/sso';
import { grantLabel } from '../../access/identity';
import { sessionIdentity, type SessionIdentitySources } from '../../web/session/identify';
import { leaveSession, regenerateSession, saveSession } from '../../web/session/ops';
import { logout } from '../../domain/sessions/commands/logout';
import { decodeJwt } from 'jose';
import { setLoginReturn } from '../../web/login-return';
import { hasExpired } from '../../domain/users/validity';
import { staleCutoff } from '../../domain/badges/stale-cutoff';
import { ACR, createProvider, OP_COOKIE_NAMES, OIDC_TTL } from './provider';
import { SYSTEM_ACTOR } from '../../domain/audit/system';
import type { RecordLoginEvent } from '../../domain/audit/recorder';
import { requestMeta } from '../../web/request-meta';
import { formBodies } from '../../web/body-limits';
import { renderModuleLoggedOut, type ModuleLogoutEnd } from '../../web/module-logout';
import { readAtMostEvery } from '../../shared/read-at-most-every';

/** What the OpenID Provider and its login step are built from (the platform). */
export interface OidcDeps extends SessionIdentitySources {
  config: Config;
  logger: Logger;
  clock: Clock;
  redis: RedisClientType;
  repos: Repositories;
  policy: Policy;
  sessions: SessionIndex;
  sso: SsoRegistry;
  /** express-session alone: the authorization request asks whether an HIS session is open. */
  sessionOnly: RequestHandler;
  /** The login history: each sign-in to a module is an event of it. */
  record: RecordLoginEvent;
  /**
   * How a back-channel logout waits before each retry (a timer by default; tests resolve it
   * themselves, so the retry path runs without waiting).
   */
  logoutRetryWait?: (pauseInMs: number) => Promise<void>;
  /** The e-ID provider's logout URL, when it has one (returns to /login). */
  endProviderSession: () => Promise<string | null>;
}

/** What RP-initiated logout reads (OpenID Connect RP-Initiated Logout 1.0); nothing else passes. */
const LOGOUT_PARAMS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state'] as const;

/** The provider's session cookie as the request may carry it: legacy, signed or both. */
const PROVIDER_SESSION_COOKIES = new Set(
  [OP_COOKIE_NAMES.session, `${OP_COOKIE_NAMES.session}.legacy`].flatMap((name) => [
    name,
    `${name}.sig`,
  ]),
);

/** Back-channel logout: the pauses before each retry after a failed first attempt. */
const LOGOUT_RETRIES_IN_MS = [1000, 5000, 30_000];

/**
 * HIS Acceso as the OpenID Provider of the other HIS modules. `provider` (mounted at /oidc,
 * before any body parser: oidc-provider reads its own) serves discovery, the authorization,
 * token, UserInfo, revocation, introspection and logout endpoints. `interactions` (mounted at
 * /login/oidc, with the pages' session) is the login step of every authorization: the HIS
 * session decides — an open one answers at once (single sign-on, no screen), none sends the
 * person through the HIS login and back, `prompt=login`/`max_age` ask for a fresh login,
 * `acr_values=urn:his:acr:eid` for the e-ID (the same person), and a silent request
 * (`prompt=none`) is answered `login_required` instead of a page.
 */
export function oidcArea(deps: OidcDeps) {
  // Every token, UserInfo and introspection request asks for its module, and the read was most
  // of those endpoints' cost (bench/oidc-token.ts): each module is read at most once a second
  // per instance, so one disabled on the screen is refused within that second everywhere.
  const findClient = readAtMostEvery(1000, deps.clock, (clientId) =>
    deps.repos.oidcClients.find(clientId),
  );
  // Every ID token and UserInfo names the session's región: 18 names that change once in years.
  const regions = readAtMostEvery(60_000, deps.clock, () =>
    deps.repos.establishments.regions
      .listAll()
      .then((all) => new Map(all.map((r) => [r.id, r.name]))),
  );
  const regionNames = () => regions('all');
  // Back-channel logouts still being retried: a shutdown (and a test) can wait for them.
  const deliveries = new Set<Promise<void>>();
  const track = (delivery: Promise<void>) => {
    deliveries.add(delivery);
    const done = () => void deliveries.delete(delivery);
    delivery.then(done, done);
  };
  // Built at the first request that needs it (module loading and key set-up take a moment).
  let ready: Promise<Provider | null> | null = null;
  const providerReady = () =>
    (ready ??= createProvider({
      config: deps.config,
      logger: deps.logger,
      redis: deps.redis,
      findClient,
      findAccount: (sub, grantId) => findAccount(deps, regionNames, sub, grantId),
    }).then(
      (provider) => {
        if (!provider) return provider;
        deps.sso.onEnd(async (signIns) => {
          for (const retries of await endSignIns(deps, provider, signIns)) track(retries);
        });
        // The sid each module's ID token carries, for its logout token to name the same session.
        provider.on('authorization_code.saved', (code: { grantId?: string; sid?: string }) => {
          if (code.grantId && code.sid)
            deps.sso.noteSid(code.grantId, code.sid).catch((err: unknown) => {
              deps.logger.warn({ err }, 'module sign-in sid not recorded');
            });
        });
        return provider;
      },
      (err: unknown) => {
        deps.logger.error({ err }, 'OpenID Provider not built');
        return null;
      },
    ));

  const provider = Router();
  // The provider's own session is never what decides (see loadExistingGrant): each
  // authorization, and its return from the login step, go without it, so a PC where someone
  // else signed in before — their HIS session ended, the provider's cookie left behind — never
  // meets that person's session.
  provider.get(['/auth', '/auth/:uid'], deps.policy('public'), (req, _res, next) => {
    if (req.headers.cookie)
      req.headers.cookie = req.headers.cookie
        .split(/;\s*/)
        .filter((c) => !PROVIDER_SESSION_COOKIES.has(c.slice(0, c.indexOf('='))))
        .join('; ');
    next();
  });
  // The authorization request: an open HIS session of the same person is the only login that
  // counts. A silent request (prompt=none) with one is let through to the login step, which
  // answers without a page; without one the provider answers login_required itself.
  provider.get('/auth', deps.policy('public'), deps.sessionOnly, async (req, _res, next) => {
    const url = new URL(req.originalUrl, deps.config.baseUrl);
    const prompt = (url.searchParams.get('prompt') ?? '').split(' ').filter(Boolean);
    // The mark is ours alone: one sent by the module is dropped.
    url.searchParams.delete('his_silent');
    if (prompt.includes('none') && req.session?.auth) {
      url.searchParams.set('prompt', prompt.filter((p) => p !== 'none').join(' '));
      if (!url.searchParams.get('prompt')) url.searchParams.delete('prompt');
      url.searchParams.set('his_silent', '1');
    }
    req.url = `${req.url.split('?')[0]}?${url.searchParams.toString()}`;
    next();
  });
  // RP-initiated logout ends the HIS session itself, on a page of ours (with its CSRF token):
  // the provider's own end_session would end only its session, which decides nothing here. The
  // request may come as a GET or as a form POST (RP-Initiated Logout 1.0): both end here.
  const toLogoutPage: RequestHandler = (req, res) => {
    const given = (req.method === 'POST' ? req.body : req.query) as Record<string, unknown>;
    const kept = new URLSearchParams();
    for (const name of LOGOUT_PARAMS) {
      const value = given?.[name];
      if (typeof value === 'string' && value) kept.set(name, value);
    }
    const query = kept.toString();
    res.redirect(303, `/login/oidc/logout${query ? `?${query}` : ''}`);
  };
  provider.get('/session/end', deps.policy('public'), toLogoutPage);
  // /oidc comes before the app's body stage (src/app.ts): this one form reads its body the same way.
  provider.post('/session/end', deps.policy('public'), ...formBodies([]), toLogoutPage);

  // The provider's request handler, built once (Koa composes its middleware in callback()).
  let handle: ((req: Request, res: Response) => unknown) | null = null;
  provider.use(async (req, res, next) => {
    const op = await providerReady();
    if (!op) return next();
    handle ??= op.callback() as unknown as (req: Request, res: Response) => unknown;
    handle(req, res);
  });

  const interactions = Router();
  const endSession = logout(deps);
  // Before /:uid: "logout" is not an interaction.
  interactions.get('/logout', deps.policy('public'), async (req, res) => {
    const target = await logoutTarget(deps, req.query as Record<string, unknown>);
    if (!req.session?.auth) return renderModuleLoggedOut(res, target);
    res.render('oidc-logout', {
      title: 'Cerrar sesión',
      moduleName: target.moduleName,
      fields: target.fields,
    });
  });
  interactions.post('/logout', deps.policy('authenticated'), async (req, res) => {
    const target = await logoutTarget(deps, (req.body ?? {}) as Record<string, unknown>);
    const auth = req.session.auth!;
    await endSession(res.locals.actor, { ssoId: auth.ssoId }, requestMeta(req));
    // Through the e-ID provider's logout, /login then shows the page that goes on to the module.
    const providerLogout = await leaveSession(req, deps, auth.method, {
      afterModuleLogout: { moduleName: target.moduleName, next: target.next },
    });
    if (providerLogout) return res.redirect(303, providerLogout);
    renderModuleLoggedOut(res, target);
  });
  interactions.get('/:uid', deps.policy('public'), async (req, res) => {
    const op = await providerReady();
    if (!op) return errorPage(res, 404, 'Página no encontrada', 'La página solicitada no existe.');
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await op.interactionDetails(req, res);
      if (details.uid !== req.params.uid) throw new Error('another interaction');
    } catch {
      return errorPage(
        res,
        400,
        'Solicitud vencida',
        'La solicitud del módulo venció o no es válida. Vuelva a abrir el módulo.',
      );
    }
    await loginStep(deps, op, details, req, res);
  });

  return {
    provider,
    interactions,
    /**
     * Tells the modules about sign-ins whose HIS session ended where no provider listened (the
     * CLI, or an instance that had not built its provider yet); main.ts calls it every few
     * seconds. Returns how many sign-ins it took.
     */
    async deliverQueuedLogouts(): Promise<number> {
      const taken = await deps.sso.takeQueued(deps.clock.now());
      if (taken.length === 0) return 0;
      // Without a provider they stay leased, and are taken again when the lease ends.
      const op = await providerReady();
      if (!op) return taken.length;
      const retrying = await endSignIns(
        deps,
        op,
        taken.map((t) => t.signIn),
      );
      // Told, or given up on and audited: the lease goes (an instance that stops first leaves
      // them to be taken again).
      track(
        Promise.allSettled(retrying)
          .then(() => deps.sso.finishQueued(taken.map((t) => t.receipt)))
          .catch((err: unknown) => deps.logger.warn({ err }, 'queued logouts not finished')),
      );
      return taken.length;
    },
    /** Resolves once every back-channel logout still being retried is delivered or given up. */
    async settled(): Promise<void> {
      while (deliveries.size > 0) await Promise.allSettled([...deliveries]);
    },
  };
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

interface LogoutTarget extends ModuleLogoutEnd {
  /** The request's parameters, for the confirmation form. */
  fields: Record<string, string>;
}

/**
 * The module asking for the logout (`client_id`, or the audience of `id_token_hint`, which
 * needs no verification: it only chooses among that module's own registered URIs) and the
 * address to return to, kept only when the module registered it.
 */
async function logoutTarget(
  deps: Pick<OidcDeps, 'repos'>,
  params: Record<string, unknown>,
): Promise<LogoutTarget> {
  const text = (name: string) =>
    typeof params[name] === 'string' ? (params[name] as string).slice(0, 2000) : '';
  let clientId = text('client_id');
  const hint = text('id_token_hint');
  if (!clientId && hint) {
    try {
      const aud = (decodeJwt(hint) as { aud?: unknown }).aud;
      clientId = typeof aud === 'string' ? aud : Array.isArray(aud) ? String(aud[0]) : '';
    } catch {
      clientId = '';
    }
  }
  const module = clientId ? await deps.repos.oidcClients.find(clientId) : null;
  const uri = text('post_logout_redirect_uri');
  const state = text('state');
  let next: string | null = null;
  if (module?.enabled && uri && module.postLogoutRedirectUris.includes(uri)) {
    const url = new URL(uri);
    if (state) url.searchParams.set('state', state);
    next = url.href;
  }
  return {
    moduleName: module?.name ?? null,
    next,
    fields: {
      client_id: module ? module.clientId : '',
      post_logout_redirect_uri: next ? uri : '',
      state: next ? state : '',
    },
  };
}

const errorPage = (res: Response, status: number, title: string, message: string) =>
  res.status(status).render('error', {
    title,
    status,
    message,
    back: { href: '/', label: 'Ir al inicio' },
    supportId: null,
  });

/** The login step of one authorization (see {@link oidcArea}). */
async function loginStep(
  deps: OidcDeps,
  op: Provider,
  details: Details,
  req: Request,
  res: Response,
) {
  const params = details.params as Record<string, string | undefined>;
  const silent = params.his_silent === '1';
  const here = `/login/oidc/${details.uid}`;
  const finish = (result: Record<string, unknown>) =>
    op.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  const refuse = (error: string, description: string) =>
    finish({ error, error_description: description });
  // Through the HIS login and back here, the login page naming the module it continues to.
  const loginFirst = async () => {
    const module = await op.Client.find(String(params.client_id)).catch(() => undefined);
    setLoginReturn(res, here, deps.config.session.cookieSecure, module?.clientName ?? null);
    res.redirect(303, '/login');
  };

  const opened = await sessionIdentity(req, deps);
  const auth = req.session.auth;
  if (!opened || !auth) {
    if (silent) return refuse('login_required', 'No hay una sesión del HIS abierta.');
    return loginFirst();
  }
  if (opened.identity.mustChangePassword || opened.agreementPending) {
    if (silent) return refuse('interaction_required', 'La sesión del HIS tiene un paso pendiente.');
    return res.redirect(303, '/');
  }
  const now = deps.clock.now().getTime();
  const authTime = Math.max(auth.createdAt, auth.eidVerifiedAt ?? 0);
  const prompts = (params.prompt ?? '').split(' ');
  const maxAge = params.max_age === undefined ? undefined : Number(params.max_age);
  // A login asked fresh for this authorization was done once the session is newer than the ask.
  const freshKey = `${deps.config.redis.keyPrefix}oidc:fresh:${details.uid}`;
  const askedAt = Number((await deps.redis.get(freshKey)) ?? 0);
  const stale =
    prompts.includes('login') || (maxAge !== undefined && now - authTime > maxAge * 1000);
  if (stale && !(askedAt && authTime >= askedAt)) {
    if (silent) return refuse('login_required', 'El módulo pidió un ingreso reciente.');
    // A fresh login: this session ends (its modules are told) and the login starts over.
    await deps.redis.set(freshKey, String(now), { EX: OIDC_TTL.Interaction });
    await deps.sso.end(auth.ssoId);
    await regenerateSession(req);
    req.session.flash = {
      kind: 'info',
      text: 'El módulo pidió que vuelva a iniciar sesión.',
    };
    return loginFirst();
  }
  const acrValues = (params.acr_values ?? '').split(' ');
  if (acrValues.includes(ACR.eid) && !auth.eidVerifiedAt) {
    if (silent) return refuse('interaction_required', 'El módulo pide la Identidad Electrónica.');
    // The same person's e-ID, then back here (the forced re-authentication's check).
    return res.redirect(303, `/auth/eid?next=${encodeURIComponent(here)}`);
  }

  if (!auth.ssoId) {
    auth.ssoId = deps.sso.newSsoId();
    await saveSession(req);
  }
  const sub = String(opened.identity.userId);
  const clientId = String(params.client_id);
  const grant = new op.Grant({ accountId: sub, clientId });
  const requested = new Set((params.scope ?? 'openid').split(' '));
  grant.addOIDCScope(
    ['openid', 'profile', 'his', 'offline_access'].filter((s) => requested.has(s)).join(' '),
  );
  const missing = (details.prompt.details as { missingOIDCClaims?: string[] }).missingOIDCClaims;
  if (Array.isArray(missing)) grant.addOIDCClaims(missing);
  const grantId = await grant.save();
  await deps.sso.record(auth.ssoId, opened.identity.userId, { clientId, grantId, sub });

  const eidAt = opened.identity.lastEidLoginAt ? Date.parse(opened.identity.lastEidLoginAt) : 0;
  const cutoff = staleCutoff(new Date(now), { staleAfterMonths: deps.config.eid.staleAfterMonths });
  const acr = auth.eidVerifiedAt
    ? ACR.eid
    : eidAt > cutoff.getTime()
      ? ACR.eidRecent
      : ACR.password;
  // The auditors' history: who entered which module, from which establishment, how strongly.
  await deps.record({
    ...requestMeta(req),
    userId: opened.identity.userId,
    username: opened.identity.username,
    method: 'module',
    outcome: 'success',
    reason: acr === ACR.eid ? 'acr_eid' : acr === ACR.eidRecent ? 'acr_eid_recent' : 'acr_password',
    establishmentId: auth.establishmentId,
    module: clientId,
  });
  const result = {
    login: {
      accountId: sub,
      acr,
      amr: [auth.method === 'eid' || auth.eidVerifiedAt ? 'eid' : 'pwd'],
      ts: Math.floor(authTime / 1000),
    },
    consent: { grantId },
  };
  // Back to the module through a page of ours rather than a redirect: when the login ended in a
  // form (the HIS login, the e-ID provider's), the browser applies that form's CSP form-action
  // to every redirect after it, and the module's origin is in none of them. A navigation started
  // by this page is not a form's, so the provider's redirect to the module goes through.
  const to = await op.interactionResult(req, res, result, { mergeWithLastSubmission: false });
  res.render('oidc-continue', { title: 'Volviendo al módulo', refreshTo: to });
}

/**
 * The person behind a token, with the claims of the HIS session it came from — read live, so
 * UserInfo follows "Cambiar de establecimiento". Null (the token is refused) when the person is
 * disabled or expired, or that HIS session has ended.
 */
async function findAccount(
  deps: OidcDeps,
  regionNames: () => Promise<Map<number, string>>,
  sub: string,
  grantId: string | undefined,
) {
  const userId = /^[1-9]\d{0,9}$/.test(sub) ? Number(sub) : 0;
  if (!userId) return null;
  const [identity, link] = await Promise.all([
    deps.identities.get(userId),
    grantId ? deps.sso.sessionOfGrant(grantId) : null,
  ]);
  const now = deps.clock.now();
  if (!identity || identity.status !== 'active' || hasExpired(identity.validUntil, now))
    return null;
  // The authorization endpoint asks before any grant exists: the person, no claims (none are
  // issued there in the code flow).
  if (!grantId) return { claims: () => ({}) };
  if (!link || link.userId !== userId) return null;
  const auth = await deps.sessions.findBySso(userId, link.ssoId);
  const place = auth && identity.establishments.find((e) => e.id === auth.establishmentId);
  if (!place) return null;
  const region = (await regionNames()).get(place.regionId);
  return {
    claims: () => ({
      name: identity.fullName,
      preferred_username: identity.username,
      his_document: identity.documentNumber,
      his_establishment: {
        code: place.code,
        id: place.id,
        name: place.name,
        region: region ?? null,
      },
      his_roles: identity.grants.map(grantLabel),
    }),
  };
}

/**
 * An HIS session ended (its grants and tokens already deleted by the SSO registry): each module
 * it signed into is told by a back-channel logout token — the first attempt while the logout is
 * answered, retries after it; a module that never answers is logged and audited.
 */
async function endSignIns(
  deps: OidcDeps,
  op: Provider,
  signIns: SsoSignIn[],
): Promise<Promise<void>[]> {
  const delivered = await Promise.all(
    signIns.map(async (signIn) => {
      const client = await op.Client.find(signIn.clientId).catch(() => undefined);
      if (!client?.backchannelLogoutUri) return { retries: null };
      // Not in the type definitions, but public: what oidc-provider's own end_session calls.
      // Wrapped: an async function's returned promise would be awaited, retries and all.
      return { retries: await deliverLogout(deps, client as unknown as BackchannelClient, signIn) };
    }),
  );
  // The retries under way (not awaited: the logout is answered without them).
  return delivered.flatMap(({ retries }) => (retries ? [retries] : []));
}

type BackchannelClient = {
  clientId: string;
  backchannelLogout(sub: string, sid?: string): Promise<void>;
};

const waitFor = (pauseInMs: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, pauseInMs).unref());

/**
 * The first attempt, awaited; when it fails, the retries (returned, not awaited: the logout
 * that caused them is answered without waiting for a module that does not answer).
 */
async function deliverLogout(
  deps: OidcDeps,
  client: BackchannelClient,
  signIn: SsoSignIn,
): Promise<Promise<void> | null> {
  const attempt = () =>
    client.backchannelLogout(signIn.sub, signIn.sid).then(
      () => null,
      (err: unknown) => err ?? new Error('failed'),
    );
  if ((await attempt()) === null) return null;
  const wait = deps.logoutRetryWait ?? waitFor;
  return (async () => {
    let lastError: unknown = null;
    for (const pause of LOGOUT_RETRIES_IN_MS) {
      await wait(pause);
      lastError = await attempt();
      if (lastError === null) return;
    }
    deps.logger.warn(
      { err: lastError, clientId: client.clientId },
      'back-channel logout not delivered',
    );
    await deps.repos
      .transaction((tx) =>
        deps.repos.adminEvents.append(
          {
            occurredAt: deps.clock.now(),
            actorUserId: null,
            actorUsername: SYSTEM_ACTOR,
            action: 'modules.logoutUndelivered',
            // The fact recorded is the system's own finding (as eid.providerDown): no refusal.
            outcome: 'success',
            targetType: 'oidc_client',
            targetId: client.clientId,
            targetUserId: Number(signIn.sub) || null,
            details: { attempts: LOGOUT_RETRIES_IN_MS.length + 1 },
            establishmentId: null,
            regionIds: [],
            ip: null,
            userAgent: null,
          },
          tx,
        ),
      )
      .catch((err: unknown) => deps.logger.warn({ err }, 'undelivered logout not audited'));
  })();
}
