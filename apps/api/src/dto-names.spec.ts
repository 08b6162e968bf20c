import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The OpenAPI document names a schema after its class: two request or answer classes of one name
 * but different fields would be one schema (Nest's Swagger module warns, and will refuse), and a
 * client generated from the document would send the wrong fields to one of the routes.
 */
describe('request and answer classes', () => {
  it('have names of their own across the API', () => {
    const root = fileURLToPath(new URL('.', import.meta.url));
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.dto.ts'));
    const where = new Map<string, string[]>();
    for (const file of files) {
      for (const [, name] of readFileSync(join(root, file), 'utf8').matchAll(/^export class (\w+)/gm)) where.set(name, [...(where.get(name) ?? []), file]);
    }
    expect(files.length).toBeGreaterThan(3);
    expect([...where].filter(([, in_]) => in_.length > 1)).toEqual([]);
  });
});
