import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openApiDocument.ts';

describe('OpenAPI document', () => {
  it('matches the copy the console client is generated from (run `npm run openapi` after changing routes)', async () => {
    const committed = JSON.parse(readFileSync(new URL('../../../web/src/api/openapi.json', import.meta.url), 'utf8'));
    expect(JSON.parse(JSON.stringify(await openApiDocument()))).toEqual(committed);
  });

  it('documents every API route with its request and response schemas', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const login = doc.paths['/api/v1/auth/login']!.post!;
    expect(Object.keys(login.responses)).toContain('200');
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, operation] of Object.entries(methods)) {
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
  });
});
