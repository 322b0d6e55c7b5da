import type { Express } from 'express';

export interface RouteInfo {
  method: string;
  path: string;
  /** The access policy the route names (its first handler's `policy`), if any. */
  policy: string | null;
}

interface Layer {
  route?: {
    path: string;
    methods: Record<string, boolean>;
    stack: { handle: { policy?: string } }[];
  };
  /** The path a router is mounted at (`app.use('/admin', router)`); `/` for none. */
  rawPath?: unknown;
  handle?: { stack?: Layer[] };
}

/**
 * Every route of the app with its full path (mount paths included), read from Express's own router: what the route × role matrix runs
 * over, so a route added tomorrow is in the matrix without anyone listing it.
 */
export function listRoutes(app: Express): RouteInfo[] {
  const found: RouteInfo[] = [];
  const join = (prefix: string, path: string) =>
    prefix === '' ? path : path === '/' ? prefix : `${prefix}${path}`;
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const policy = layer.route.stack.find((l) => l.handle.policy)?.handle.policy ?? null;
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all')
            found.push({
              method: method.toUpperCase(),
              path: join(prefix, layer.route.path),
              policy,
            });
      } else if (layer.handle?.stack) {
        const mount =
          typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}
