import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';

describe('HTTP API conventions', () => {
  let platform: TestPlatform;
  let owner: Session;
  let orgId: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    orgId = await platform.createOrganization({ kind: 'subscriber', name: '株式会社エーピーアイ', membership: 'non_member' });
    await platform.createUser(orgId, 'subscriber_admin', 'owner@api.example');
    owner = await platform.signIn('owner@api.example');
  });
  afterAll(async () => platform?.close());

  const countSites = async () => (await platform.database.db.selectFrom('sites').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

  it('answers malformed JSON with 400 invalid_json and changes nothing', async () => {
    const before = await countSites();
    const response = await platform.app.inject({
      method: 'POST',
      url: `/api/v1/organizations/${orgId}/sites`,
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrfToken, 'content-type': 'application/json' },
      payload: '{"name": "本社",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'invalid_json', message: 'the request body is not valid JSON' }, requestId: response.headers['x-request-id'] });
    expect(Number(await countSites())).toBe(Number(before));
  });

  it('lists every invalid field of a schema violation', async () => {
    const response = await platform.request(owner, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: '', postalCode: '12345', extra: 1 });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['body.name', 'body.postalCode']);
    expect(body.error.message).toContain('postal code must be 7 digits, e.g. 530-0001');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await platform.request(owner, 'GET', '/api/v1/no-such-thing');
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toEqual({ code: 'not_found', message: 'no route for GET /api/v1/no-such-thing' });
  });

  it('refuses an oversized body with 413', async () => {
    const response = await platform.request(owner, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });

  it('answers without a session with 401, and with a wrong role with 403', async () => {
    expect((await platform.request(null, 'GET', '/api/v1/sites')).json().error.code).toBe('unauthenticated');
    const denied = await platform.request(owner, 'POST', '/api/v1/organizations', { kind: 'vendor', name: 'x' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
  });

  it('keeps a sane caller request id and makes one otherwise', async () => {
    const given = await platform.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'lb-1234' } });
    expect(given.headers['x-request-id']).toBe('lb-1234');
    const hostile = await platform.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'a b\nc' } });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves health, readiness and Prometheus metrics without credentials', async () => {
    expect((await platform.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await platform.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok' });
    const metrics = await platform.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('otasuke_http_requests_total{method="GET",route="/healthz",status="200"}');
  });

  it('publishes an OpenAPI 3.1 document generated from the shared schemas', async () => {
    const doc = (await platform.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/auth/login');
    expect(doc.components.schemas.LoginResponse).toBeDefined();
    expect(doc.components.schemas.ErrorBody ?? doc.components.schemas.Organization).toBeDefined();
  });
});
