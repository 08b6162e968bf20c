import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema & { maxLength?: number; enum?: unknown[] }>;
  required?: string[];
  allOf?: Schema[];
}
interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * The OpenAPI document (/docs-json) describes what each route takes, as the build's compiler plugin
 * reads it from the DTOs (scripts/compile.mjs; the tests run the same plugin): every request body's
 * fields, with the rules class-validator checks, and every list route's query parameters.
 */
describe('the OpenAPI document', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let document: OpenApi;
  const schema = (ref: string) => document.components.schemas[ref.replace('#/components/schemas/', '')];

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database));
    document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as OpenApi;
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('gives every request body its fields', () => {
    const empty: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const { schema: body } of Object.values(operation.requestBody?.content ?? {})) {
          const target = body.$ref ? schema(body.$ref) : body;
          if (target.type !== 'object' || Object.keys(target.properties ?? {}).length > 0) continue;
          if (!target.allOf) empty.push(`${method.toUpperCase()} ${path}`);
        }
      }
    }
    expect(empty).toEqual([]);
    const draft = schema('#/components/schemas/DraftCableRequest');
    expect(draft.required).toEqual(expect.arrayContaining(['kind', 'subject', 'classification', 'paragraphs']));
    expect(draft.properties!.subject).toMatchObject({ type: 'string' });
    expect(draft.properties!.classification.enum).toEqual(expect.arrayContaining(['UNCLASSIFIED', 'SECRET']));
  });

  it('lists the query parameters of the routes that take them', () => {
    const names = (path: string) => (document.paths[path].get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(names('/audit')).toEqual(expect.arrayContaining(['actor', 'streamId', 'from', 'to', 'order', 'limit', 'offset']));
    expect(names('/follow-ups')).toEqual(expect.arrayContaining(['status', 'overdue', 'owner', 'bureau', 'limit']));
    expect(names('/dashboard')).toEqual(['asOf']);
  });
});
