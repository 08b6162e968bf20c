// The server's TypeScript build (tsconfig.build.json), as `tsc -p` does it, with @nestjs/swagger's
// compiler plugin: it reads the DTOs' property types and class-validator rules and the routes' query
// classes at compile time, so that the OpenAPI document (/docs-json) describes every body and query.
// (`nest build` applies the same plugin; this build is plain tsc.)
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before as swaggerBefore } from '@nestjs/swagger/plugin';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const configPath = resolve(root, 'tsconfig.build.json');
const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
if (error) fail([error]);
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configPath);
if (parsed.errors.length > 0) fail(parsed.errors);

const builder = ts.createIncrementalProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
const options = JSON.parse(ts.sys.readFile(resolve(root, 'scripts/openapi-plugin.json')));
// Request DTOs live in *.dto.ts files; a few query classes sit beside their controller.
const swagger = swaggerBefore(options, builder.getProgram());
const emitted = builder.emit(undefined, undefined, undefined, false, { before: [swagger] });
const diagnostics = [...ts.getPreEmitDiagnostics(builder.getProgram()), ...emitted.diagnostics];
if (diagnostics.length > 0) fail(diagnostics);

function fail(problems) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => ts.sys.newLine };
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(problems, host));
  process.exit(1);
}
