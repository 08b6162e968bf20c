import { METHODS } from 'node:http';
import type { Request } from 'express';

/** What an Express router's stack holds, as far as matching a path goes. */
interface RouteLayer {
  route?: ServedRoute;
  match(path: string): unknown;
}

interface ServedRoute {
  methods: Record<string, boolean | undefined>;
}

/**
 * A route for every method: middleware applied to every path, as Nest lays out the request
 * logger's (`forRoutes({ path: '{/*splat}', method: ALL })`). It answers no request itself.
 */
function servesEveryMethod(route: ServedRoute): boolean {
  return METHODS.every((method) => route.methods[method.toLowerCase()]);
}

/** Whether `route` answers `method` (HEAD wherever GET is). */
function serves(route: ServedRoute, method: string): boolean {
  const name = method.toLowerCase();
  return Boolean(route.methods[name] || (name === 'head' && route.methods.get));
}

/**
 * For a request no route of its own answered, the methods routes do serve at its path, upper case
 * and sorted (HEAD wherever GET is): a non-empty list makes the answer 405 with this `Allow` (RFC
 * 9110 §15.5.6) rather than 404. Empty for a request a route answered (whatever its handler threw),
 * and for a path no route serves. Matched by the router's own layers, so by its own rules. (The
 * router leaves as `request.route` the last route whose path matched: the every-path middleware's,
 * or, for HEAD, a route of the path that serves neither GET nor HEAD.)
 */
export function allowedMethods(request: Request): string[] {
  const taken = request.route as ServedRoute | undefined;
  if (taken && !servesEveryMethod(taken) && serves(taken, request.method)) return [];
  const stack = (request.app?.router as unknown as { stack?: RouteLayer[] } | undefined)?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (!layer.route || servesEveryMethod(layer.route) || !layer.match(request.path)) continue;
    for (const [method, served] of Object.entries(layer.route.methods)) {
      if (!served || method === '_all') continue;
      methods.add(method.toUpperCase());
      if (method === 'get') methods.add('HEAD');
    }
  }
  return [...methods].sort();
}
