import type { z } from 'zod';
import type { Request } from 'express';

/** Parses a form body; returns null when it does not fit (the caller answers in Spanish). */
export function parseForm<T extends z.ZodType>(schema: T, req: Request): z.infer<T> | null {
  const result = schema.safeParse(req.body ?? {});
  return result.success ? result.data : null;
}
