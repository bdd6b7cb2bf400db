/**
 * Writes the server's OpenAPI document to web/src/api/openapi.json and the TypeScript types of the
 * console's API client to web/src/api/schema.d.ts. Run after changing any route or shared schema
 * (`npm run openapi`); a test fails when the committed copies are stale.
 */
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../server/src/http/openApiDocument.ts';

const apiDir = fileURLToPath(new URL('../web/src/api/', import.meta.url));
const json = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
writeFileSync(`${apiDir}openapi.json`, json);
execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/openapi-typescript/bin/cli.js', import.meta.url)), `${apiDir}openapi.json`, '-o', `${apiDir}schema.d.ts`], { stdio: 'inherit' });
console.log(`wrote ${apiDir}openapi.json and schema.d.ts`);
