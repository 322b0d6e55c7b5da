import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';

/** An uploaded file waiting for the administrator's confirmation. */
export interface ImportDraft {
  userId: number;
  fileName: string;
  text: string;
}

/** Long enough to read a 934-row preview, short enough not to apply yesterday's file. */
const TTL_IN_SECONDS = 30 * 60;

/**
 * Keeps an uploaded CSV server-side between its preview and its confirmation, under a random id
 * with a short TTL: the confirm form carries only the id, so the text applied is the text that
 * was previewed (and it is planned again against the database when applied). Redis, not the
 * session: a 2 MB session would be read on every page view.
 */
export function createImportDrafts(
  redis: RedisClientType,
  keyPrefix: string,
  /** What the drafts hold, in their keys: a draft of one kind is never applied as another. */
  kind: 'establishment-import' | 'user-import' = 'establishment-import',
) {
  const key = (id: string) => `${keyPrefix}${kind}:${id}`;
  return {
    async save(draft: ImportDraft): Promise<string> {
      const id = randomBytes(18).toString('base64url');
      await redis.set(key(id), JSON.stringify(draft), { EX: TTL_IN_SECONDS });
      return id;
    },
    /** The draft, only for the user who uploaded it; null when unknown, expired or someone else's. */
    async get(id: string, userId: number): Promise<ImportDraft | null> {
      if (!/^[A-Za-z0-9_-]{24}$/.test(id)) return null;
      const raw = await redis.get(key(id));
      const draft = raw ? (JSON.parse(raw) as ImportDraft) : null;
      return draft?.userId === userId ? draft : null;
    },
    async discard(id: string): Promise<void> {
      await redis.del(key(id));
    },
  };
}

export type ImportDrafts = ReturnType<typeof createImportDrafts>;
