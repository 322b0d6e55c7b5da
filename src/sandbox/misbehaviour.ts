import express from 'express';
import { z } from 'zod';
import { registerCitizen } from './accounts';

/**
 * The defects the sandbox can inject into its token endpoints (both protocols), so the HIS's
 * failure handling is tested against a provider that really misbehaves.
 */
export const MODES = [
  'normal',
  'bad_signature',
  'alg_none',
  'wrong_iss',
  'wrong_aud',
  'expired',
  'wrong_nonce',
  'missing_nonce',
  'slow',
  'http_500',
] as const;

/** One of {@link MODES}. */
export type Mode = (typeof MODES)[number];

/** Longer than the HIS's default e-ID timeout (10 s), so `slow` trips it unless told otherwise. */
const DEFAULT_SLOW_DELAY_IN_MS = 15_000;

const modeRequestSchema = z.object({
  mode: z.enum(MODES),
  delayMs: z.number().int().min(0).max(120_000).optional(),
});

/** What a token endpoint must answer instead of a token, or null to go on normally. */
export interface GateResponse {
  status: number;
  body: { error: string; error_description: string };
}

/** The sandbox's current mode, and the pending `slow` waits that closing must cancel. */
export interface Misbehaviour {
  current(): { mode: Mode; delayMs: number };
  set(mode: Mode, delayMs?: number): void;
  /** Runs before a token endpoint answers: applies `slow` and `http_500`. */
  gateTokenEndpoint(): Promise<GateResponse | null>;
  /** Ends every pending `slow` wait at once, so a closing server does not hang on them. */
  cancelPending(): void;
}

/** Creates the mode holder; starts in `normal`. */
export function createMisbehaviour(): Misbehaviour {
  let state = { mode: 'normal' as Mode, delayMs: DEFAULT_SLOW_DELAY_IN_MS };
  const pending = new Set<{ timer: NodeJS.Timeout; finish: (elapsed: boolean) => void }>();

  const wait = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => entry.finish(true), ms),
        finish: (elapsed: boolean) => {
          clearTimeout(entry.timer);
          pending.delete(entry);
          resolve(elapsed);
        },
      };
      pending.add(entry);
    });

  return {
    current: () => ({ ...state }),
    set(mode, delayMs) {
      state = { mode, delayMs: delayMs ?? DEFAULT_SLOW_DELAY_IN_MS };
    },
    async gateTokenEndpoint() {
      const { mode, delayMs } = state;
      if (mode === 'http_500') {
        return {
          status: 500,
          body: { error: 'server_error', error_description: 'Error interno simulado.' },
        };
      }
      if (mode === 'slow' && !(await wait(delayMs))) {
        return {
          status: 503,
          body: { error: 'temporarily_unavailable', error_description: 'El simulador se detiene.' },
        };
      }
      return null;
    },
    cancelPending() {
      for (const entry of [...pending]) entry.finish(false);
    },
  };
}

const citizenSchema = z.object({
  cedula: z.string().regex(/^\d{3,10}$/),
  nombres: z.string().min(1),
  apellidos: z.string().min(1),
  password: z.string().min(1).optional(),
});

/**
 * `GET/POST /__sandbox/mode`: how tests read and switch the mode; `POST /__sandbox/citizens`:
 * how a test adds a citizen of its own.
 */
export function misbehaviourRoutes(misbehaviour: Misbehaviour): express.Router {
  const router = express.Router();
  router.get('/__sandbox/mode', (_req, res) => {
    res.json(misbehaviour.current());
  });
  router.post('/__sandbox/mode', express.json(), (req, res) => {
    const parsed = modeRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_mode', allowed: MODES });
      return;
    }
    misbehaviour.set(parsed.data.mode, parsed.data.delayMs);
    res.json(misbehaviour.current());
  });
  router.post('/__sandbox/citizens', express.json(), (req, res) => {
    const parsed = citizenSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_citizen' });
      return;
    }
    res.status(201).json({ cedula: registerCitizen(parsed.data).cedula });
  });
  return router;
}
