import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import bytes from 'bytes';
import type { FieldError } from '@chancery/common';
import { bounded, boundedErrors, codeFor, PROBLEM_CONTENT_TYPE, type ProblemDetails, problemType, titleFor } from './problem-details.js';

/**
 * Answers a problem, its `accept` list said in an `Accept` header too (`Accept-Patch` with
 * `acceptPatch`) and its `acceptEncoding` in `Accept-Encoding`, as `ProblemDetailsFilter` does.
 */
function sendProblem(request: Request, response: Response, status: number, detail: string, extensions: Record<string, unknown> = {}): void {
  const { acceptPatch, ...said } = extensions;
  const code = typeof said.code === 'string' ? said.code : codeFor(status);
  const errors = Array.isArray(said.errors) ? { errors: boundedErrors(said.errors as FieldError[]) } : {};
  const problem: ProblemDetails = { title: titleFor(status), status, detail: bounded(detail), ...said, ...errors, type: problemType(code), code, instance: request.originalUrl, requestId: String(request.id ?? '') };
  if (Array.isArray(said.accept)) response.setHeader(acceptPatch ? 'Accept-Patch' : 'Accept', said.accept.join(', '));
  if (Array.isArray(said.acceptEncoding)) response.setHeader('Accept-Encoding', said.acceptEncoding.join(', '));
  response.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** What `pathWhere` looks for: in a key (and whether its object is an array), or in a string. */
interface Sought {
  key: (key: string, inArray: boolean) => boolean;
  text?: (text: string) => boolean;
}

/** The first place in a parsed JSON value, in document order, where `sought` is found: its field path and the key or text found; null when nowhere. */
function pathWhere(value: unknown, path: string, sought: Sought): { at: string; found: string } | null {
  if (typeof value === 'string') return sought.text?.(value) ? { at: path || '(body)', found: value } : null;
  if (value === null || typeof value !== 'object') return null;
  const inArray = Array.isArray(value);
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (sought.key(key, inArray)) return { at, found: key };
    const found = pathWhere(inner, at, sought);
    if (found) return found;
  }
  return null;
}

/**
 * A control character other than a tab or a line break: C0, DEL, C1 (an escape, a bell, NUL).
 * None is text anyone writes; an escape in a name reaches terminals, NUL PostgreSQL cannot store.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL_CHARACTER: Sought = { key: (key) => CONTROL.test(key), text: (text) => CONTROL.test(text) };

/** `U+001B`, say: how a refusal names the character it found. */
function codePoint(text: string): string {
  const found = CONTROL.exec(text)![0];
  return `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Names JavaScript gives objects themselves: every one `Object.prototype` has (`__proto__`,
 * `constructor`, `toString`, `__defineGetter__`…, taken from it, so that none is missed), and a
 * class's `prototype`. class-transformer passes over a key whose name is one (its value on the DTO
 * is a function, or the prototype), so the "unknown fields are refused" rule never saw them: they
 * are refused here, at any depth, as no field of any request.
 */
const OBJECT_MACHINERY: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
/** Whether `key` names JavaScript's own object machinery (`OBJECT_MACHINERY`): a field, or a query parameter, of no request. */
export const namesObjectMachinery = (key: string): boolean => OBJECT_MACHINERY.has(key);
const MACHINERY: Sought = { key: (key, inArray) => !inArray && namesObjectMachinery(key) };
/** Where in a parsed body (JSON, or a form's fields) a key names the object machinery first, as a field path (`note.toString`); undefined when nowhere. */
export const objectMachineryIn = (body: unknown): string | undefined => pathWhere(body, '', MACHINERY)?.at;

/**
 * Refuses control characters other than tabs and line breaks (`CONTROL`) anywhere in the path,
 * query or body with 400, naming the field and the character: whatever field a route takes (a
 * post's name reaching a telegram, a comment), none is kept. Refuses too a body with a key such as
 * `__proto__` or `constructor` (see `OBJECT_MACHINERY`).
 */
export function refuseControlCharacters(request: Request, response: Response, next: NextFunction): void {
  let path: string;
  try {
    path = decodeURIComponent(request.originalUrl);
  } catch {
    return sendProblem(request, response, 400, 'The request address is not validly percent-encoded.');
  }
  const control = CONTROL.test(path) ? { at: '(address)', found: path } : pathWhere(request.body, '', CONTROL_CHARACTER);
  if (control) {
    const [field, character] = [control.at, codePoint(control.found)];
    const detail = `Text may not contain control characters other than tabs and line breaks: ${field} holds ${character}.`;
    return sendProblem(request, response, 400, detail, { code: 'VALIDATION_FAILED', errors: [{ field, message: `must not contain the control character ${character}` }] });
  }
  const machinery = objectMachineryIn(request.body);
  if (machinery) {
    return sendProblem(request, response, 400, `${machinery} is not a field of any request.`, { code: 'VALIDATION_FAILED', errors: [{ field: machinery, message: 'property should not exist' }] });
  }
  next();
}

/** How deep objects and arrays may nest in a request body: deeper is refused before parsing. */
export const MAX_JSON_DEPTH = 32;

/**
 * How many members the objects and arrays of a request body may have, all together: more is refused
 * before parsing. No request takes nearly as many (a list of addressees, ALDAC's ~270 posts, and a
 * cable's 200 paragraphs are the longest), and 80,000 unknown keys in a signed-out login took the
 * validator seconds, the whole API waiting (spread over nested objects, as long).
 */
export const MAX_JSON_MEMBERS = 10_000;

const HIGH_SURROGATE = /^[dD][89abAB]/;
const LOW_SURROGATE = /^[dD][c-fC-F]/;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A body the parser is not even given: why, as a 400 body-parser passes on. */
class UnreadableBody extends Error {
  readonly status = 400;
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks a JSON body's raw bytes before it is parsed: valid UTF-8, objects and arrays nested at
 * most `MAX_JSON_DEPTH` deep and of at most `MAX_JSON_MEMBERS` members in all, and no `\u` escape that makes a lone surrogate (text that cannot be
 * stored, hashed for the audit log, or sent on). A single pass that keeps only counters,
 * so an 8 KB body of brackets costs no more than any other 8 KB.
 */
export function checkJsonText(body: Buffer): void {
  let text: string;
  try {
    text = fatalUtf8.decode(body);
  } catch {
    throw new UnreadableBody('entity.invalid.text', 'The request body is not valid UTF-8.');
  }
  let depth = 0;
  let inString = false;
  // Commas seen outside strings: one fewer than the members, of every object and array together.
  let commas = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '"') inString = false;
      else if (c === '\\') {
        if (text[i + 1] === 'u') {
          const unit = text.slice(i + 2, i + 6);
          if (HIGH_SURROGATE.test(unit)) {
            if (text[i + 6] !== '\\' || text[i + 7] !== 'u' || !LOW_SURROGATE.test(text.slice(i + 8, i + 12))) throw loneSurrogate();
            i += 11;
            continue;
          }
          if (LOW_SURROGATE.test(unit)) throw loneSurrogate();
        }
        i++;
      }
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > MAX_JSON_DEPTH) throw new UnreadableBody('entity.too.deep', `The request body nests objects or arrays more than ${MAX_JSON_DEPTH} deep.`);
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && ++commas >= MAX_JSON_MEMBERS) {
      throw new UnreadableBody('entity.too.many', `The request body's objects and arrays have more than ${MAX_JSON_MEMBERS.toLocaleString('en-US')} members in all.`);
    }
  }
}

function loneSurrogate(): UnreadableBody {
  return new UnreadableBody('entity.invalid.text', 'The request body contains a lone UTF-16 surrogate (\\uD800-\\uDFFF), which is not text.');
}

/** JSON as such, and, for a PATCH only, an RFC 7396 merge patch: other content is left unread (then 415). */
function isJson(request: Request): boolean {
  return Boolean(request.is('application/json') || (request.method === 'PATCH' && request.is('application/merge-patch+json')));
}

/** The types a request's JSON body may be sent as: `application/json`, and for a PATCH an RFC 7396 merge patch first. */
export function jsonTypesTaken(request: Request): string[] {
  return request.method === 'PATCH' ? ['application/merge-patch+json', 'application/json'] : ['application/json'];
}

/** A request's content coding (RFC 9110 §8.4), as sent but in lower case: `identity` when it says none. */
export function contentCoding(request: Request): string {
  return (request.headers['content-encoding'] ?? '').trim().toLowerCase() || 'identity';
}

/** The content codings the JSON parser decodes, one at a time (not a list, `gzip, br`); `identity` is the body as it is. */
const JSON_CODINGS = ['gzip', 'deflate', 'br'];

/**
 * A JSON body is sent as it is or coded as `JSON_CODINGS` says: any other coding (`compress`, a
 * list), which the parser refused in its own words and with no `Accept-Encoding`, is a 415 naming
 * those taken, in `Accept-Encoding` too (RFC 9110 §15.5.16). Fixed here, not left to the parser,
 * whose codings follow Node's (`zstd` in some).
 */
function knownCodings(request: Request, response: Response, next: NextFunction): void {
  if (!isJson(request) || request.headers['content-encoding'] === undefined) return next();
  const coding = contentCoding(request);
  if (coding === 'identity' || JSON_CODINGS.includes(coding)) {
    // Said as the parser reads it (it lower-cases the header, but does not trim it).
    request.headers['content-encoding'] = coding;
    return next();
  }
  const detail = `A JSON body is sent as it is (Content-Encoding: identity, or none) or coded ${JSON_CODINGS.slice(0, -1).join(', ')} or ${JSON_CODINGS.at(-1)}; this one says Content-Encoding: ${request.headers['content-encoding']}.`;
  sendProblem(request, response, 415, detail, { acceptEncoding: [...JSON_CODINGS, 'identity'] });
}

/** A Content-Type's charset parameter, quoted or not; its value in group 1. */
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/**
 * JSON is UTF-8 (RFC 8259 §8.1): a JSON body said to be in another charset is refused alike,
 * `utf-16` as `latin1`, with 415 naming what is taken, in `Accept` too (the parser would read some
 * of them and refuse others as 400). `utf8`, a common spelling of `utf-8`, is taken as it.
 */
function utf8Only(request: Request, response: Response, next: NextFunction): void {
  const contentType = request.headers['content-type'] ?? '';
  const charset = CHARSET.exec(contentType)?.[1];
  if (!isJson(request) || charset === undefined) return next();
  if (/^utf-?8$/i.test(charset)) {
    // The parser takes only charsets spelled `utf-…` (it refused `utf8` with a bare 415): said as it takes them.
    request.headers['content-type'] = contentType.replace(CHARSET, '; charset=utf-8');
    return next();
  }
  const accept = jsonTypesTaken(request);
  const detail = `A JSON body is UTF-8 (RFC 8259 §8.1): this request takes ${accept.join(' or ')} with charset=utf-8, or no charset; this one says charset=${charset}.`;
  sendProblem(request, response, 415, detail, { accept, acceptPatch: request.method === 'PATCH' });
}

/** Every route takes a JSON object: an array is said to be one, not validated as an object whose fields are `0`, `1`… */
function objectsOnly(request: Request, response: Response, next: NextFunction): void {
  if (!Array.isArray(request.body)) return next();
  sendProblem(request, response, 400, 'The request body must be a JSON object, not an array.');
}

/** Whether `body` is JSON, but a bare value (`null`, `3`, `"x"`), which the strict parser refuses. */
function bareValue(body: string | undefined): boolean {
  if (body === undefined) return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON bodies up to `limit` (`application/json`, and `application/merge-patch+json` for RFC 7396
 * patches), as they are or coded (`JSON_CODINGS`; the limit is of the decoded body), checked before
 * parsing; anything refused is answered as problem+json.
 */
export function jsonBodyParser(limit: string): RequestHandler[] {
  // The parser refuses a body over the limit only once it has all arrived (it drains the request
  // to keep the connection), so a body declared larger is answered at once, and the connection closed:
  // `Content-Length: 10000000000` held a socket, with no answer, until the request timed out.
  const maxBytes = bytes.parse(limit) ?? Infinity;
  const declaredTooLarge = (request: Request, response: Response, next: NextFunction) => {
    const declared = Number(request.headers['content-length']);
    if (!isJson(request) || !(declared > maxBytes)) return next();
    response.set('Connection', 'close');
    sendProblem(request, response, 413, `The request body is larger than the ${limit} limit.`);
  };
  const parse = express.json({ limit, strict: true, type: (request) => isJson(request as Request), verify: (_request, _response, body) => checkJsonText(body) });
  const refuse = (error: unknown, request: Request, response: Response, next: NextFunction) => {
    const failure = error as { status?: number; type?: string; message?: string; body?: string };
    const coding = contentCoding(request);
    // zlib's own failure (a corrupt or truncated body), which the parser passed on bare: said as such.
    if (failure?.status === 400 && !failure.type && coding !== 'identity') {
      return sendProblem(request, response, 400, `The request body says Content-Encoding: ${coding}, but is not valid ${coding}: it cannot be decoded.`);
    }
    if (!failure?.type || !failure.status) return next(error);
    const detail =
      failure.type === 'entity.parse.failed'
        ? bareValue(failure.body) ? 'The request body must be a JSON object, not a bare value (null, a number, a string, true or false).' : 'The request body is not valid JSON.'
        : failure.type === 'entity.too.large'
          ? `The request body is larger than the ${limit} limit.`
          : failure.type === 'entity.too.deep' || failure.type === 'entity.invalid.text'
            ? failure.message!
            : (failure.message ?? 'The request body cannot be read.');
    sendProblem(request, response, failure.status, detail);
  };
  return [utf8Only, knownCodings, declaredTooLarge, parse, refuse as unknown as RequestHandler, objectsOnly, refuseControlCharacters];
}

/**
 * Once the server is stopping (`stopping()`: Nest's adapter after `close()` began), a new request is
 * answered `503` problem+json, the connection closed after it, as every other refusal is answered:
 * not Express's plain-text "Service Unavailable". The requests already in flight finish.
 */
export function refuseWhileStopping(stopping: () => boolean): RequestHandler {
  return (request, response, next) => {
    if (!stopping()) return next();
    response.set('Connection', 'close').set('Retry-After', '1');
    sendProblem(request, response, 503, 'The server is stopping; try again shortly.', { code: 'SERVICE_UNAVAILABLE', retryAfter: 1 });
  };
}
