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
 * A route for every method: Nest's not-found handler (`app.all`), the only such route here. A
 * request it took found no route of its own.
 */
function servesEveryMethod(route: ServedRoute): boolean {
  return METHODS.every((method) => route.methods[method.toLowerCase()]);
}

/**
 * For a request no route of its own took, the methods routes do serve at its path, upper case and
 * sorted (HEAD wherever GET is): a non-empty list makes the answer 405 with this `Allow` (RFC 9110
 * §15.5.6) rather than 404. Empty for a request a route took (whatever its handler threw), and for
 * a path no route serves. Matched by the router's own layers, so by its own rules.
 */
export function allowedMethods(request: Request): string[] {
  const taken = request.route as ServedRoute | undefined;
  if (taken && !servesEveryMethod(taken)) return [];
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
