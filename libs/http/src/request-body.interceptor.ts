import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import { from, mergeMap, Observable } from 'rxjs';
import { ChanceryError, ErrorCode } from '@chancery/common';
import { contentCoding, jsonTypesTaken, namesObjectMachinery } from './body-parsing.js';

/**
 * Parameters that read the body other than as parsed JSON (a multipart upload, the raw bytes).
 * (Chancery's own parameter decorators, `Ctx` and `CurrentUser`, read headers and the principal.)
 */
const READS_OTHERWISE = new Set<number>([RouteParamtypes.RAW_BODY, RouteParamtypes.FILE, RouteParamtypes.FILES]);
/** Methods whose requests carry no content Chancery reads (RFC 9110 §9.3.1, §9.3.5: it has no defined meaning). */
const BODILESS_METHODS = new Set(['GET', 'HEAD', 'DELETE']);

/** How a route's handler takes a body: none, a JSON DTO, or otherwise (a file, the request). */
type BodyUse = 'none' | 'json' | 'otherwise';

/**
 * What a route's handler takes: its body (`BodyUse`), the query parameters it reads (all, with a
 * query DTO, which checks them), and the one content type it takes, if it says (`TakesContent`).
 */
interface RouteUse {
  body: BodyUse;
  query: 'all' | readonly string[];
  content?: string;
}

const READS_QUERY = 'chancery:reads-query';
const TAKES_CONTENT = 'chancery:takes-content';
/** A route whose body is of this type only (a multipart upload): content of any other type is refused with 415 before anything reads it. */
export const TakesContent = (type: string) => SetMetadata(TAKES_CONTENT, type);
/** A handler (or its guard) that reads these query parameters itself, without a query DTO (the event stream's `ticket`). */
export const ReadsQuery = (...names: string[]) => SetMetadata(READS_QUERY, names);

/**
 * What a request sends is heard, or refused, never silently dropped:
 * - No route takes a query parameter named as JavaScript's object machinery (`toString`,
 *   `__proto__`…), which a query DTO would pass over unseen (400 naming it).
 * - A route that takes no query (`GET /demarches/:id`, `/inbox`, `POST …/submit`) refuses
 *   parameters, as a query DTO refuses one it does not know: `GET /demarches/:id?asOf=…` would
 *   otherwise answer the campaign as it is now, as if it were as of then (400 naming them).
 * - A route that takes no body (`POST /cables/:id/submit`, `…/release`, `/follow-ups/:id/start`,
 *   and every `GET`, `HEAD` and `DELETE`) refuses one that says something, as a DTO refuses an unknown field: a client sending
 *   `{"mrn": …}` to release, or `{"status": "DONE"}` to start, learns that it was not heard (400)
 *   instead of seeing its command run as if it had been. An empty object is no body.
 * - A route that takes a JSON body refuses content of another type (`text/plain`, a form) with
 *   415 and the types it takes, rather than a 400 that every field is missing (the JSON parser
 *   leaves such content unread). One that takes a type of its own (`TakesContent`, an upload)
 *   refuses another alike, and content in a coding (`gzip`), which it would store coded (415,
 *   `Accept-Encoding: identity`).
 * Runs after the guards (a caller who may not act learns nothing more) and before idempotency and
 * validation.
 */
@Injectable()
export class RequestBodyInterceptor implements NestInterceptor {
  private readonly routeUses = new WeakMap<object, RouteUse>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const route = this.routeUse(context);
    const request = context.switchToHttp().getRequest<Request>();
    // A query DTO refuses the parameters it does not know, but class-transformer passes over those
    // named as JavaScript's own object machinery (`?toString=1`): they are refused here, on every route.
    const unknown = Object.keys(request.query ?? {}).filter((name) => namesObjectMachinery(name) || (route.query !== 'all' && !route.query.includes(name)));
    if (unknown.length > 0) throw queryRefusal(unknown);
    if (route.content && !request.is(route.content)) throw unsupported(request, [route.content]);
    if (route.content && contentCoding(request) !== 'identity') throw coded(request);
    // A read or a removal takes no body, whether or not its handler takes the request (for its id):
    // one sent is refused alike on every such route, not heard on some and dropped unsaid on others.
    const use = route.body === 'otherwise' && BODILESS_METHODS.has(request.method) ? 'none' : route.body;
    if (use === 'otherwise') return next.handle();
    const body = request.body as unknown;
    if (use === 'json') {
      if (body !== undefined) return next.handle();
      if (Number(request.headers['content-length'] ?? 0) > 0) throw unsupported(request);
      return whenNoBytes(request, () => unsupported(request), next);
    }
    const fields =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? Object.keys(body)
        : body !== undefined && body !== null && body !== ''
          ? ['(body)'] // an array or a scalar
          : body === undefined && Number(request.headers['content-length'] ?? 0) > 0
            ? ['(body)'] // content of a type the JSON parser left unread
            : [];
    if (fields.length > 0) throw refusal(fields);
    if (body === undefined) return whenNoBytes(request, () => refusal(['(body)']), next);
    return next.handle();
  }

  private routeUse(context: ExecutionContext): RouteUse {
    const handler = context.getHandler();
    let use = this.routeUses.get(handler);
    if (use === undefined) {
      const params = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      const types = Object.keys(params).map((key) => Number(key.split(':')[0]));
      // A handler that takes the request itself beside a DTO (for the client's address, say) still
      // takes its body as JSON; one that takes only the request reads it as it will.
      const body: BodyUse = types.some((type) => READS_OTHERWISE.has(type))
        ? 'otherwise'
        : types.includes(RouteParamtypes.BODY)
          ? 'json'
          : types.includes(RouteParamtypes.REQUEST)
            ? 'otherwise'
            : 'none';
      use = {
        body,
        query: types.includes(RouteParamtypes.QUERY) ? 'all' : ((Reflect.getMetadata(READS_QUERY, handler) as string[] | undefined) ?? []),
        content: Reflect.getMetadata(TAKES_CONTENT, handler) as string | undefined,
      };
      this.routeUses.set(handler, use);
    }
    return use;
  }
}

/**
 * A request whose content the JSON parser left unread, sent chunked (no Content-Length): it is
 * content only if a byte of it comes, then refused with `refuse()`; else the route runs.
 */
function whenNoBytes(request: Request, refuse: () => ChanceryError, next: CallHandler): Observable<unknown> {
  if (request.headers['transfer-encoding'] === undefined) return next.handle();
  return from(sendsBytes(request)).pipe(
    mergeMap((sent) => {
      if (sent) throw refuse();
      return next.handle();
    }),
  );
}

/** Content of a type other than the route takes (JSON, unless `types` says otherwise). */
function unsupported(request: Request, types?: string[]): ChanceryError {
  const accept = types ?? jsonTypesTaken(request);
  const sent = request.headers['content-type'];
  const detail = `This request takes ${types ? 'a body' : 'a JSON body'} (Content-Type: ${accept.join(' or ')}); ${sent ? `this one is ${sent.split(';')[0]}` : 'this one states no Content-Type'}`;
  // Said in the Accept header too (RFC 9110 §15.5.16), and Accept-Patch for a PATCH (RFC 5789 §3.1).
  return new ChanceryError(ErrorCode.UnsupportedMediaType, detail, { accept, acceptPatch: request.method === 'PATCH' });
}

/**
 * Content in a coding (`Content-Encoding: gzip`) sent to a route that takes one type of content (an
 * upload), which reads its body as it is: its bytes would be stored as sent, coded (RFC 9110 §15.5.16:
 * 415, and `Accept-Encoding` says what is taken).
 */
function coded(request: Request): ChanceryError {
  const detail = `This request takes its body as it is (Content-Encoding: identity, or none); this one says Content-Encoding: ${request.headers['content-encoding']}`;
  return new ChanceryError(ErrorCode.UnsupportedMediaType, detail, { acceptEncoding: ['identity'] });
}

/** The refusal of query parameters a route does not take. */
function queryRefusal(parameters: string[]): ChanceryError {
  const errors = parameters.map((field) => ({ field, message: `property ${field} should not exist (this request takes no such query parameter)` }));
  return new ChanceryError(ErrorCode.ValidationFailed, `This request takes no query parameter ${parameters.join(', ')}`, { errors });
}

/** The refusal of what a request to a route that takes no body sent: its fields, or `(body)`, content as such (said once, not again after the colon). */
function refusal(fields: string[]): ChanceryError {
  if (fields.includes('(body)')) return new ChanceryError(ErrorCode.ValidationFailed, 'This request takes no body', { errors: [{ field: '(body)', message: 'this request takes no body' }] });
  const errors = fields.map((field) => ({ field, message: `property ${field} should not exist` }));
  return new ChanceryError(ErrorCode.ValidationFailed, `This request takes no body: ${errors.map((e) => e.message).join('; ')}`, { errors });
}

/**
 * Whether an unread request stream carries a byte: read until its first byte (the rest is let
 * drain, unread) or its end. A stream that fails (its client gone) counts as content: nothing runs.
 */
function sendsBytes(request: Request): Promise<boolean> {
  if (request.readableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (sent: boolean) => {
      request.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(sent);
    };
    const onData = (chunk: Buffer) => chunk.length > 0 && settle(true);
    const onEnd = () => settle(false);
    const onError = () => settle(true);
    request.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
