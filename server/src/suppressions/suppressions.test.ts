import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { c2Alert, insertAlertSeries, scanAlert } from '../incidents/alertFixtures.ts';
import { createMonitoringHooks } from '../incidents/monitoringHooks.ts';
import type { AlertToStore } from '../ingest/alertIngestHooks.ts';
import { gzipBatchOf, syntheticAlertEvent } from '../ingest/syntheticAlerts.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { suppressionMatcher } from './suppressionMatch.ts';
import { SuppressionRepository } from './suppressionRepository.ts';
import { SuppressionService } from './suppressionService.ts';

const cli = { scope: null, ip: null, requestId: 'setup' };

describe('suppression matching', () => {
  const alert = { organizationId: 'org-a', observedAt: new Date('2026-04-01T00:00:00Z'), direction: 'inbound' as const, gid: 1, signatureId: 2_001_219, srcIp: '203.0.113.9', destIp: '192.168.1.10' };
  const rule = { id: 's1', organizationId: null, gid: null, signatureId: null, insideHost: null, peer: null, cidr: null, expiresAt: null };
  it('matches every condition it sets, by address not by spelling', () => {
    expect(suppressionMatcher([{ ...rule, signatureId: 2_001_219 }])(alert)).toBe('s1');
    expect(suppressionMatcher([{ ...rule, signatureId: 2_001_219, gid: 3 }])(alert)).toBeNull();
    expect(suppressionMatcher([{ ...rule, insideHost: '192.168.1.10', peer: '203.0.113.9' }])(alert)).toBe('s1');
    expect(suppressionMatcher([{ ...rule, insideHost: '203.0.113.9' }])(alert)).toBeNull();
    expect(suppressionMatcher([{ ...rule, cidr: '203.0.113.0/24' }])(alert)).toBe('s1');
    expect(suppressionMatcher([{ ...rule, cidr: '10.0.0.0/8' }])(alert)).toBeNull();
    expect(suppressionMatcher([{ ...rule, peer: '2001:db8::1' }])({ ...alert, srcIp: '2001:0db8:0:0::1' })).toBe('s1');
  });
  it('keeps to its subscriber and its expiry', () => {
    expect(suppressionMatcher([{ ...rule, signatureId: 2_001_219, organizationId: 'org-b' }])(alert)).toBeNull();
    expect(suppressionMatcher([{ ...rule, signatureId: 2_001_219, expiresAt: new Date('2026-04-01T00:00:00Z') }])(alert)).toBeNull();
    expect(suppressionMatcher([{ ...rule, signatureId: 2_001_219, expiresAt: new Date('2026-04-01T00:00:01Z') }])(alert)).toBe('s1');
  });
});

describe(`suppressions (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let analyst: Session;
  let org: { id: string; siteId: string; sensorId: string };
  let otherOrg: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'analyst', 'analyst@sup.example');
    const opScope = { userId: null, tokenId: null, sessionId: null, organizationId: operatorId, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    const id = await platform.createOrganization({ kind: 'subscriber', name: '印刷所', membership: 'member' });
    otherOrg = await platform.createOrganization({ kind: 'subscriber', name: '別会社', membership: 'member' });
    const site = await platform.services.organizations.createSite({ ...cli, scope: opScope }, id, { name: '本社' });
    const sensor = await platform.services.organizations.createSensor({ ...cli, scope: opScope }, site.id, { name: 'sensor' });
    org = { id, siteId: site.id, sensorId: sensor.id };
    analyst = await platform.signIn('analyst@sup.example');
  });
  afterAll(async () => platform?.close());

  const toStore = (over: Partial<typeof scanAlert> = {}, organizationId = org.id): AlertToStore => ({
    organizationId,
    siteId: org.siteId,
    sensorId: org.sensorId,
    seq: 1,
    alert: { ...scanAlert, ...over, observedAt: '2026-03-05T00:00:00Z' },
  });

  it('silences matching alerts at ingest: stored and counted, but no incident', async () => {
    const created = await platform.request(analyst, 'POST', '/api/v1/suppressions', { organizationId: org.id, cidr: '203.0.113.8/29', reason: '顧客が依頼した脆弱性診断' });
    expect(created.statusCode, created.body).toBe(201);
    const suppression = created.json();
    const hooks = createMonitoringHooks(platform.services);
    expect(await hooks.suppress([toStore(), toStore({ srcIp: '198.51.100.1' }), toStore({}, otherOrg)])).toEqual([suppression.id, null, null]);

    const stored = await insertAlertSeries(platform.database.db, { ...org, organizationId: org.id, firstSeq: 1, count: 30, start: new Date('2026-03-05T00:00:00Z'), stepMs: 1000, alert: scanAlert, suppressionId: suppression.id });
    await hooks.afterStore(stored);
    const incidents = await platform.request(analyst, 'GET', `/api/v1/incidents?organizationId=${org.id}`);
    expect(incidents.json().items).toEqual([]);
    const listed = (await platform.request(analyst, 'GET', '/api/v1/suppressions')).json();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: suppression.id, hitCount: 30, active: true, reason: '顧客が依頼した脆弱性診断', cidr: '203.0.113.8/29' });
  });

  it('creates a suppression from an alert (its subscriber, signature and inside host), and refuses an empty one', async () => {
    const [alert] = await insertAlertSeries(platform.database.db, { ...org, organizationId: org.id, firstSeq: 100, count: 1, start: new Date('2026-03-06T00:00:00Z'), stepMs: 1000, alert: c2Alert });
    const created = (await platform.request(analyst, 'POST', '/api/v1/suppressions', { fromAlertId: alert!.id, reason: '社内の監視ツール' })).json();
    expect(created).toMatchObject({ organizationId: org.id, gid: 1, signatureId: 9_000_001, insideHost: '192.168.1.23', peer: null, cidr: null, hitCount: 0 });
    const empty = await platform.request(analyst, 'POST', '/api/v1/suppressions', { reason: '全部止めたい' });
    expect(empty.statusCode).toBe(400);
    const past = await platform.request(analyst, 'POST', '/api/v1/suppressions', { signatureId: 1, reason: '期限切れ', expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.json().error.details.fields[0].field).toBe('body.expiresAt');
  });

  it('applies through the ingest API and reports the suppressed count', async () => {
    const admin = await platform.createUser(org.id, 'subscriber_admin', 'admin@sup.example').then(() => platform.signIn('admin@sup.example'));
    const code = (await platform.request(admin, 'POST', `/api/v1/sites/${org.siteId}/enrollment-codes`, {})).json();
    const enrolled = (await platform.request(null, 'POST', '/api/v1/sensors/enroll', { code: code.code })).json();
    const signatureId = syntheticAlertEvent(1).alert.signatureId;
    const suppression = (await platform.request(analyst, 'POST', '/api/v1/suppressions', { signatureId, reason: '誤検知の多いルール' })).json();
    expect(suppression.organizationId).toBeNull();
    const events = [1, 2, 3, 4].map((seq) => ({ ...syntheticAlertEvent(seq, new Date('2026-05-11T00:00:00Z')), alert: { ...syntheticAlertEvent(seq).alert, observedAt: '2026-05-11T00:00:00Z', signatureId } }));
    const response = await platform.app.inject({ method: 'POST', url: '/api/v1/ingest/events', headers: { authorization: `Bearer ${enrolled.credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' }, payload: gzipBatchOf(events) });
    expect(response.json()).toMatchObject({ accepted: 4, suppressed: 4 });
    const listed = (await platform.request(analyst, 'GET', '/api/v1/suppressions')).json();
    expect(listed.find((s: { id: string }) => s.id === suppression.id).hitCount).toBe(4);
  });

  it('applies a suppression made here at once, and one made on another node within its cache time', async () => {
    const signatureId = 2_999_001;
    // From an address no earlier suppression covers.
    const alert = toStore({ signatureId, srcIp: '198.51.100.77' });
    // Another node (scale mode: a worker) with its own copy of the rules, kept 5 s of its own time.
    let workerTime = 0;
    const worker = new SuppressionService(new SuppressionRepository(platform.database.db), platform.services.audit, platform.clock, { ms: 5_000, now: () => workerTime });
    expect(await worker.decide([alert])).toEqual([null]);
    const created = (await platform.request(analyst, 'POST', '/api/v1/suppressions', { organizationId: org.id, signatureId, reason: 'キャッシュの確認' })).json();
    expect(await platform.services.suppressions.decide([alert])).toEqual([created.id]);
    workerTime = 4_999;
    expect(await worker.decide([alert])).toEqual([null]);
    workerTime = 5_000;
    expect(await worker.decide([alert])).toEqual([created.id]);
    await platform.request(analyst, 'DELETE', `/api/v1/suppressions/${created.id}`);
    expect(await platform.services.suppressions.decide([alert])).toEqual([null]);
  });

  it("the oldest matching suppression wins, everyone's or the subscriber's own, and each subscriber sees only its own", async () => {
    const signatureId = 2_999_002;
    const global = (await platform.request(analyst, 'POST', '/api/v1/suppressions', { organizationId: null, signatureId, reason: '全社共通' })).json();
    platform.clock.advance(1000);
    const own = (await platform.request(analyst, 'POST', '/api/v1/suppressions', { organizationId: org.id, signatureId, reason: '印刷所のみ' })).json();
    const other = (await platform.request(analyst, 'POST', '/api/v1/suppressions', { organizationId: otherOrg, cidr: '203.0.113.0/24', reason: '別会社のみ' })).json();
    const mine = toStore({ signatureId, srcIp: '198.51.100.77' });
    const theirs = toStore({ signatureId }, otherOrg);
    expect(await platform.services.suppressions.decide([mine, theirs])).toEqual([global.id, global.id]);
    await platform.request(analyst, 'DELETE', `/api/v1/suppressions/${global.id}`);
    // Without the global one: this subscriber's own rule; the other subscriber's range rule does not reach it.
    expect(await platform.services.suppressions.decide([mine, toStore({ signatureId: 2_999_003, srcIp: '198.51.100.77' }), theirs])).toEqual([own.id, null, other.id]);
    for (const id of [own.id, other.id]) await platform.request(analyst, 'DELETE', `/api/v1/suppressions/${id}`);
  });

  it('ends a suppression but keeps it, with its count, in the list on request', async () => {
    const [first] = (await platform.request(analyst, 'GET', '/api/v1/suppressions')).json();
    const patched = (await platform.request(analyst, 'PATCH', `/api/v1/suppressions/${first.id}`, { reason: '理由を更新' })).json();
    expect(patched.reason).toBe('理由を更新');
    const ended = (await platform.request(analyst, 'DELETE', `/api/v1/suppressions/${first.id}`)).json();
    expect(ended.active).toBe(false);
    expect((await platform.request(analyst, 'GET', '/api/v1/suppressions')).json().map((s: { id: string }) => s.id)).not.toContain(first.id);
    const all = (await platform.request(analyst, 'GET', '/api/v1/suppressions?includeDeleted=true')).json();
    expect(all.find((s: { id: string }) => s.id === first.id)).toMatchObject({ active: false, hitCount: first.hitCount });
  });
});
