import type { INestApplication } from '@nestjs/common';
import { createTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The web app's files as the API serves them, built as `npm run test:browser` builds them: its
 * page, script and styles, and not the script's source map (the sources, for developers, stay in
 * dist/web: the browser is not pointed at them and they are not served).
 */
describe('the web app\'s files', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app } = await createTestApp(database));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('serves the page, its script and styles, but not the script\'s source map', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('app.js');
    const script = await fetch(`${base}/app.js`);
    expect({ status: script.status, type: script.headers.get('content-type') }).toEqual({ status: 200, type: expect.stringMatching(/javascript/) });
    expect(await script.text()).not.toMatch(/sourceMappingURL/);
    expect((await fetch(`${base}/app.js.map`)).status).toBe(404);
  });
});
