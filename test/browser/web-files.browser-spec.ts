import { webAppUnderTest } from '../support/browser-app.js';

/**
 * The web app's files as the API serves them, built as `npm run test:browser` builds them: its
 * page, script and styles, and not the script's source map (the sources, for developers, stay in
 * dist/web: the browser is not pointed at them and they are not served).
 */
describe('the web app\'s files', () => {
  // Files over HTTP: no Chromium.
  const web = webAppUnderTest({ chromium: false });

  it('serves the page, its script and styles, but not the script\'s source map', async () => {
    const page = await fetch(`${web.base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('app.js');
    const script = await fetch(`${web.base}/app.js`);
    expect({ status: script.status, type: script.headers.get('content-type') }).toEqual({ status: 200, type: expect.stringMatching(/javascript/) });
    expect(await script.text()).not.toMatch(/sourceMappingURL/);
    expect((await fetch(`${web.base}/app.js.map`)).status).toBe(404);
  });
});
