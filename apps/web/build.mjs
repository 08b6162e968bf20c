// Bundles the web app for the API to serve at `/`: esbuild for the code (the domain rules it shares
// with the server come along), the static files copied as they are.
import { cp, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const root = new URL('../../', import.meta.url);
const out = new URL('dist/web/', root);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL('apps/web/src/main.tsx', root).pathname],
  outfile: new URL('app.js', out).pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: new URL('apps/web/tsconfig.json', root).pathname,
  loader: { '.json': 'json' },
  minify: true,
  // Written beside the script for developers, but the browser is not pointed at it, nor is it served.
  sourcemap: 'external',
  logLevel: 'warning',
});
await cp(new URL('apps/web/public/', root), out, { recursive: true });
