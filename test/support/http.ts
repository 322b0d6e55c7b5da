import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { SESSION_COOKIE } from '../../src/web/session/middleware';

/** The value of the hidden `_csrf` field in an HTML page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field in page');
  return match[1]!;
}

/** The session cookie set by a response, if any. */
export function sessionCookie(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
}

/** Fetches a page and returns its CSRF token (the agent keeps the session cookie). */
export async function csrfOf(agent: request.Agent, path: string): Promise<string> {
  const res = await agent.get(path);
  return csrfFrom(res.text);
}

/** Submits the classic login form. */
export async function postLogin(agent: request.Agent, username: string, password: string) {
  const csrf = await csrfOf(agent, '/login');
  return agent.post('/login').type('form').send({ username, password, _csrf: csrf });
}

/** Classic login followed by choosing `establishmentId`; returns the final response. */
export async function loginAndChoose(
  agent: request.Agent,
  username: string,
  password: string,
  establishmentId: number,
) {
  const login = await postLogin(agent, username, password);
  if (login.headers.location !== '/login/establishment') {
    throw new Error(
      `login did not reach the establishment step: ${login.status} ${login.headers.location}`,
    );
  }
  const csrf = await csrfOf(agent, '/login/establishment');
  return agent.post('/login/establishment').type('form').send({ establishmentId, _csrf: csrf });
}

const userAgents = new WeakMap<object, string>();

/**
 * A browser-like agent (keeps cookies) with a User-Agent of its own, so a test can find its own
 * rows in the login history even while other test files write to the same database.
 */
export function agentFor(app: Express): request.Agent {
  const userAgent = `his-test/${randomBytes(6).toString('hex')}`;
  const agent = request.agent(app).set('User-Agent', userAgent);
  userAgents.set(agent, userAgent);
  return agent;
}

/** The User-Agent an {@link agentFor} agent sends. */
export function userAgentOf(agent: request.Agent): string {
  const userAgent = userAgents.get(agent);
  if (!userAgent) throw new Error('not an agentFor() agent');
  return userAgent;
}

/** The Spanish page's words when PostgreSQL or Redis does not answer (503). */
export const UNAVAILABLE = 'El servicio no está disponible en este momento';
/** A stack frame's line, which no answer may show. */
export const STACK_TRACE = /at .+\.(ts|js):\d+/;

/** A request's response and how long it took, in milliseconds. */
export async function timed(send: () => PromiseLike<request.Response>) {
  const started = performance.now();
  const res = await send();
  return { res, ms: performance.now() - started };
}
