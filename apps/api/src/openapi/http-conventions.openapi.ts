import type { OpenAPIObject } from '@nestjs/swagger';
import { IGNORES_KEY_EXTENSION, NO_VERSION_EXTENSION } from '@chancery/http';

/** The parts of an OpenAPI operation this file writes. */
interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: object }>;
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
  security?: unknown[];
  /** Set by `@IgnoresIdempotencyKey()` (and left in the document for clients): the route runs every request, keyed or not. */
  [IGNORES_KEY_EXTENSION]?: boolean;
  /** Set by `@ChangesNoVersionedRecord()`: `If-Match` is refused there, so not offered. */
  [NO_VERSION_EXTENSION]?: boolean;
}

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: PROBLEM } } });

/** Every refusal a request may meet by the conventions all routes share (README "HTTP conventions"). */
const REFUSALS: Record<string, string> = {
  '400': 'Malformed: a field, a query parameter or a header the route does not take or cannot read (`errors[]` names each)',
  '401': 'No valid access token',
  '403': 'Not allowed: the role, or need to know (audited)',
  '404': 'No such record, or none the caller may be told of',
  '409': 'The record is not in a state that takes this command',
  '412': 'If-Match names a version the record is not at (or the request creates a record, which has none)',
  '413': 'The body is larger than the route takes',
  '415': 'The body is of a type the route does not take (the `Accept` header names those it does)',
  '422': 'A business rule refuses it (`errors[]` names the field and the rule)',
  '429': 'Too many tries (`Retry-After`)',
  '503': 'The database is unreachable or busy (`Retry-After`)',
};

/**
 * Writes into the document what every route shares and the compiler plugin cannot see: the
 * problem+json refusals (RFC 9457) each kind of request may meet, `If-Match` and `Idempotency-Key`
 * on the requests that change something, the `ETag` of what they answer, and a `PATCH`'s merge
 * patch (RFC 7396) content type. Runs once, on the document NestJS builds from the routes.
 */
export function withHttpConventions(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Problem = {
    type: 'object',
    description: 'RFC 9457 problem details, with a stable `code` and, for a refused field, `errors[]`',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string', example: 'urn:chancery:problem:validation-failed' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', example: 'VALIDATION_FAILED' },
      instance: { type: 'string' },
      requestId: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const changes = method !== 'get';
      const onRecord = path.includes('{');
      const authenticated = (operation.security?.length ?? 0) > 0;
      operation.responses ??= {};
      const refusals = ['400', ...(authenticated ? ['401', '403'] : []), ...(onRecord ? ['404'] : []), ...(changes ? ['409', '412', '422'] : []), ...(operation.requestBody ? ['413', '415'] : []), '503'];
      // Password tries are limited, the login's and a password change's alike.
      if (path === '/auth/login' || path === '/auth/password') refusals.push('429');
      for (const status of refusals) operation.responses[status] ??= problem(REFUSALS[status]);
      for (const [status, response] of Object.entries(operation.responses)) {
        // A change answers its record's version as its ETag; one that changes no versioned record (a login's token, a ticket), none.
        if (!/^2/.test(status) || !changes || operation[NO_VERSION_EXTENSION]) continue;
        response.headers ??= {};
        response.headers.ETag = { description: 'The record\'s new version, `"<version>"`, to send back as If-Match', schema: { type: 'string' } };
      }
      if (!changes) continue;
      operation.parameters ??= [];
      const header = (name: string, description: string) => {
        if (!operation.parameters!.some((p) => p.in === 'header' && p.name.toLowerCase() === name.toLowerCase())) operation.parameters!.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
      };
      if (!operation[NO_VERSION_EXTENSION]) header('If-Match', 'The version the change is for, `"<version>"` (a list, `"3", "4"`, holds for any): another gets 412 and writes nothing');
      if (!operation[IGNORES_KEY_EXTENSION]) header('Idempotency-Key', 'The same key with the same request answers the first answer again (`Idempotent-Replayed: true`), once; with another request, 422');
      const json = operation.requestBody?.content?.['application/json'];
      if (method === 'patch' && json && operation.requestBody?.content) operation.requestBody.content['application/merge-patch+json'] = json;
    }
  }
  return document;
}
