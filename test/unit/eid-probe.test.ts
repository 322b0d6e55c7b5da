import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { createEidProvider } from '../../src/eid';

/**
 * The degraded-mode probe of each protocol against a local stand-in of the provider: an HTTP
 * answer is not enough, a 5xx (or no answer in time, or no connection) is a failed probe.
 */
let server: Server;
let base: string;
/** What the stand-in answers: a status, or 'hang' (never answers). */
let answer: number | 'hang' = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (answer === 'hang') return; // the socket is destroyed when the server closes
    res.writeHead(answer, { 'Content-Type': 'application/json' });
    res.end(req.method === 'HEAD' ? undefined : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const provider = (protocol: 'mitic' | 'oidc', url = base) =>
  createEidProvider(
    loadConfig({
      NODE_ENV: 'test',
      EID_PROTOCOL: protocol,
      EID_AUTHORIZE_URL: `${url}/login`,
      EID_TOKEN_URL: `${url}/rest/authentication`,
      EID_ISSUER: protocol === 'oidc' ? `${url}/oidc` : 'sandbox-mitic',
      EID_TIMEOUT_IN_SECONDS: '1',
    }),
  );

describe.each(['mitic', 'oidc'] as const)('the %s probe', (protocol) => {
  it.each([500, 502, 503])('when the provider answers %i then the probe fails', async (status) => {
    answer = status;
    expect(await provider(protocol).probe()).toBe(false);
  });

  it('when the provider answers 200 then the probe succeeds', async () => {
    answer = 200;
    expect(await provider(protocol).probe()).toBe(true);
  });

  it('when the provider does not answer within the timeout then the probe fails', async () => {
    answer = 'hang';
    expect(await provider(protocol).probe()).toBe(false);
  });

  it('when nothing listens then the probe fails', async () => {
    expect(await provider(protocol, 'http://127.0.0.1:1').probe()).toBe(false);
  });
});

describe('the mitic probe', () => {
  it('when the login page refuses the bare request (4xx) then the provider still answers: up', async () => {
    answer = 405;
    expect(await provider('mitic').probe()).toBe(true);
  });
});
