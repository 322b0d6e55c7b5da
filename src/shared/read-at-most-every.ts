import type { Clock } from './clock';

/**
 * `load(key)`, read at most once every `ms` per key in this process: what many requests ask for
 * and changes seldom. A clock set back (tests) counts as stale, never as fresh forever; a failed
 * read is forgotten, so the next call tries again. At most 1,000 keys are kept.
 */
export function readAtMostEvery<T>(
  ms: number,
  clock: Clock,
  load: (key: string) => Promise<T>,
): (key: string) => Promise<T> {
  const cache = new Map<string, { at: number; value: Promise<T> }>();
  return (key) => {
    const now = clock.now().getTime();
    const hit = cache.get(key);
    if (hit && now >= hit.at && now - hit.at < ms) return hit.value;
    if (cache.size > 1000) cache.clear();
    const value = load(key);
    cache.set(key, { at: now, value });
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  };
}
