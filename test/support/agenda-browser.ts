import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgenda } from '../../src/sandbox/agenda';
import { registerModule } from '../../src/domain/modules/commands/register';
import { cliActor, CLI_META } from '../../src/cli/actor';
import type { EidBrowserRig } from './eid-browser';

/** The demo Agenda module (src/sandbox/agenda.ts) on a port of its own, for the browser tests. */
export interface AgendaRig {
  /** Its address (also `env.AGENDA_URL`, the app's tile). */
  readonly url: string;
  /** What the Agenda said it received (its back-channel logouts). */
  readonly log: string[];
  /** Registers it with the rig's HIS and serves it; call after `useEidBrowserRig`. */
  attachTo(rig: EidBrowserRig): void;
}

/**
 * Listens before the rig is built (its port goes into `env.AGENDA_URL`, which the app reads), and
 * registers the Agenda once the rig's HIS runs: sign-in at `/callback`, logout back to `/salio`,
 * back-channel logouts at `/backchannel`.
 */
export function useAgenda(env: Record<string, string>): AgendaRig {
  const server: Server = createServer();
  const log: string[] = [];
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    env.AGENDA_URL = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    get url() {
      return env.AGENDA_URL!;
    },
    log,
    attachTo(rig) {
      beforeAll(async () => {
        const registered = await registerModule(rig.t)(
          cliActor('prueba'),
          {
            name: 'Agenda',
            redirectUris: [`${env.AGENDA_URL}/callback`],
            postLogoutRedirectUris: [`${env.AGENDA_URL}/salio`],
            backchannelLogoutUri: `${env.AGENDA_URL}/backchannel`,
          },
          CLI_META,
        );
        const agenda = await createAgenda({
          issuer: `${rig.server.baseUrl}/oidc`,
          clientId: registered.clientId,
          clientSecret: registered.clientSecret,
          url: env.AGENDA_URL!,
          insecure: true,
          log: (line) => log.push(line),
        });
        server.on('request', agenda);
      });
    },
  };
}
