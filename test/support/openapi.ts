interface Schema {
  $ref?: string;
  type?: string;
  items?: Schema;
  properties?: Record<string, Schema & { enum?: unknown[] }>;
  required?: string[];
  allOf?: Schema[];
}
interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * What the built server's OpenAPI document (/docs-json) must describe, as the build's compiler plugin
 * reads it from the DTOs (scripts/compile.mjs): every request body's fields, with their types (arrays
 * with their items) and the rules class-validator checks, and every list route's query parameters.
 * Answers what is missing; empty when the document is whole.
 */
export function missingFromOpenApi(document: OpenApiDocument): string[] {
  const missing: string[] = [];
  const schema = (ref: string) => document.components.schemas[ref.replace('#/components/schemas/', '')];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const { schema: body } of Object.values(operation.requestBody?.content ?? {})) {
        const target = body.$ref ? schema(body.$ref) : body;
        if (target.type === 'object' && Object.keys(target.properties ?? {}).length === 0 && !target.allOf) missing.push(`${method.toUpperCase()} ${path}: body without fields`);
      }
    }
  }
  const draft = schema('#/components/schemas/DraftCableRequest');
  if (!['kind', 'subject', 'classification', 'paragraphs'].every((field) => draft?.required?.includes(field))) missing.push('DraftCableRequest: required fields');
  if (draft?.properties?.tags?.items?.type !== 'string') missing.push('DraftCableRequest.tags: an array of strings');
  if (!draft?.properties?.paragraphs?.items?.$ref) missing.push('DraftCableRequest.paragraphs: an array of paragraphs');
  if (!draft?.properties?.classification?.enum?.includes('SECRET')) missing.push('DraftCableRequest.classification: its values');
  const query = (path: string) => (document.paths[path]?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  for (const [path, names] of [['/audit', ['actor', 'streamId', 'from', 'to', 'order', 'limit', 'offset']], ['/follow-ups', ['status', 'overdue', 'owner', 'bureau', 'limit']], ['/dashboard', ['asOf']]] as const) {
    for (const name of names) if (!query(path).includes(name)) missing.push(`GET ${path}: query parameter ${name}`);
  }
  return missing;
}
