/** autocannon ships no types (and @types/autocannon is not installed): the little used here. */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

export type Context = Record<string, string>;
export type RawHeaders = Record<string, string | string[] | undefined>;
export interface BenchRequest {
  method?: 'GET' | 'POST';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?(req: BenchRequest, context: Context): BenchRequest;
  onResponse?(status: number, body: string, context: Context, headers: RawHeaders): void;
}
export type SetupClient = (client: { setHeaders(headers: Record<string, string>): void }) => void;
export interface Instance extends EventEmitter {
  stop(): void;
}
export interface Result {
  duration: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (
  opts: {
    url: string;
    connections: number;
    duration?: number;
    amount?: number;
    requests: BenchRequest[];
    setupClient?: SetupClient;
  },
  done: (err: Error | null, result: Result) => void,
) => Instance;
export const autocannon = createRequire(__filename)('autocannon') as Autocannon;
