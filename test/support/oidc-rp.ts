import type request from 'supertest';

/**
 * Follows a browser's way through the OpenID Provider and its login step, from `start`, until a
 * response leaves them (the module's redirect URI, the HIS login, the e-ID) or stops redirecting.
 * The login step continues with a page that refreshes by itself (meta refresh), followed too.
 * `issuer` resolves relative addresses; addresses starting with `moduleUrl` are the module's.
 */
export async function followToModule(
  agent: request.Agent,
  start: string,
  issuer: string,
  moduleUrl: string,
): Promise<request.Response> {
  let res = await agent.get(start).redirects(0);
  for (let hops = 0; hops < 10; hops++) {
    const refresh = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(res.text ?? '')?.[1];
    const location = res.headers.location ?? refresh?.replace(/&amp;/g, '&');
    if (!location || (!refresh && (res.status < 300 || res.status > 399))) return res;
    const url = new URL(location, issuer);
    if (url.href.startsWith(moduleUrl) || !/^\/(oidc|login)\//.test(url.pathname)) return res;
    res = await agent.get(url.pathname + url.search).redirects(0);
  }
  throw new Error('too many redirects');
}
