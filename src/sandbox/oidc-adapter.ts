import type { Adapter, AdapterPayload } from 'oidc-provider';

const SWEEP_INTERVAL_IN_MS = 10_000;

/**
 * In-memory storage for the OpenID Provider's sessions, codes and grants. oidc-provider's own
 * memory adapter prints a "development-only" warning at start; the sandbox is development-only
 * by design and refuses production, so it brings this small one instead.
 */
export function createMemoryAdapter(): (model: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const sessionIdByUid = new Map<string, string>();
  const keysByGrant = new Map<string, Set<string>>();
  let lastSweep = Date.now();

  // Expired entries are dropped lazily, so there is no timer to stop when the sandbox closes.
  const sweep = () => {
    const now = Date.now();
    if (now - lastSweep < SWEEP_INTERVAL_IN_MS) return;
    lastSweep = now;
    for (const [key, entry] of store) if (entry.expiresAt <= now) store.delete(key);
    for (const [uid, id] of sessionIdByUid)
      if (!store.has(`Session:${id}`)) sessionIdByUid.delete(uid);
    for (const [grantId, keys] of keysByGrant) {
      for (const key of keys) if (!store.has(key)) keys.delete(key);
      if (keys.size === 0) keysByGrant.delete(grantId);
    }
  };

  const read = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.payload;
    store.delete(key);
    return undefined;
  };

  return (model) => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        sweep();
        const key = keyOf(id);
        const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
        store.set(key, { payload, expiresAt });
        if (model === 'Session' && payload.uid) sessionIdByUid.set(payload.uid, id);
        if (payload.grantId) {
          const keys = keysByGrant.get(payload.grantId) ?? new Set<string>();
          keysByGrant.set(payload.grantId, keys.add(key));
        }
      },
      async find(id) {
        return read(keyOf(id));
      },
      async findByUid(uid) {
        const id = sessionIdByUid.get(uid);
        return id === undefined ? undefined : read(keyOf(id));
      },
      async findByUserCode() {
        return undefined; // the device flow is not enabled
      },
      async consume(id) {
        const payload = read(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of keysByGrant.get(grantId) ?? []) store.delete(key);
        keysByGrant.delete(grantId);
      },
    };
  };
}
