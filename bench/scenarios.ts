/** The scenario table: what is measured, in this order (bench/README.md describes each one). */
import type { ChildProcess } from 'node:child_process';
import type { BenchRequest } from './autocannon';
import { formThenPost } from './http-forms';
import type { Scenario } from './measure';
import type { Ready } from './protocol';
import { lockAccounts, refused, roundRobin } from './refusals';
import { PASSWORD, PREFIX, WRONG_PASSWORD } from './settings';

export interface Setup {
  url: string;
  ready: Ready;
  cookies: string[];
  child: ChildProcess;
}

export function scenarios({ url, ready, cookies, child }: Setup): Scenario[] {
  const { usernames, pools, maxFailures } = ready;
  let nextUser = 0;
  let nextCookie = 0;
  let nextUnknown = 0;
  const get = (path: string): BenchRequest[] => [{ method: 'GET', path }];

  return [
    { name: 'GET /healthz (baseline)', measured: 200, requests: get('/healthz') },
    { name: 'GET /login (page + new session)', measured: 200, requests: get('/login') },
    {
      // A login regenerates the session, so each one needs a fresh form: GET, then the timed POST.
      name: 'POST /login (argon2id verify)',
      measured: 303,
      helpers: [200],
      reference: true,
      requests: formThenPost(() => ({
        username: usernames[nextUser++ % usernames.length]!,
        password: PASSWORD,
      })),
    },
    // Each name is new: no name gets near the lockout. The dummy hash is verified.
    refused(
      'POST /login unknown user',
      PREFIX.unknown,
      'unknown_user',
      () => `${PREFIX.unknown}${nextUnknown++}`,
      PASSWORD,
    ),
    refused(
      'POST /login wrong password',
      PREFIX.wrong,
      'bad_password',
      roundRobin(PREFIX.wrong, pools.wrong),
      WRONG_PASSWORD,
    ),
    // The right password: a locked account refuses it too, after the same verify.
    refused(
      'POST /login locked account',
      PREFIX.locked,
      'account_locked',
      roundRobin(PREFIX.locked, pools.locked),
      PASSWORD,
      () => lockAccounts(url, child, pools.locked, maxFailures),
    ),
    // The right password, or the refusal would be bad_password: the status is checked after it.
    refused(
      'POST /login disabled account',
      PREFIX.disabled,
      'account_disabled',
      roundRobin(PREFIX.disabled, pools.disabled),
      PASSWORD,
    ),
    {
      name: 'GET / (authenticated)',
      measured: 200,
      requests: get('/'),
      setupClient: (client) =>
        client.setHeaders({ cookie: cookies[nextCookie++ % cookies.length]! }),
    },
  ];
}
