/**
 * The demo start (`otasuke server --demo` on an empty data dir, PGlite) with its demo sensors
 * asked for: each demo subscriber gets a sensor enrolled over HTTP, its attack capture goes through
 * the real agent and ingest, and the subscriber has incidents; the statistics count them. A second
 * start on the same data dir enrolls nothing and replays nothing.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentQuery } from '@otasuke/shared';
import type { AccessScope } from '../access/accessScope.ts';
import { loadConfig } from '../config/config.ts';
import { startServer, type RunningServer } from '../server.ts';
import { demoOperatorName } from './demoData.ts';

const SUBSCRIBERS = ['株式会社なにわ精工', '心斎橋デザイン合同会社', '堺みなと物流株式会社'];
/**
 * What each subscriber's replayed capture becomes: kind, explain key, direction and alert count of
 * each incident — one per story of demoCaptures.ts (the C2 beacon's 12 IOC hits and its beaconing
 * alert are one incident; the evil download is another PC and server).
 */
const EXPECTED_INCIDENTS = [
  'brute_force brute_force_http inbound ×1',
  'c2_communication c2_communication outbound ×13',
  'c2_communication rule.trojan-activity outbound ×3',
  'malware_file malware_file inbound ×1',
  'scan inbound_port_scan inbound ×1',
];

describe('demo sensors on a fresh demo start', () => {
  let dir: string;
  let server: RunningServer | null = null;
  let operator: AccessScope;
  const start = async (): Promise<RunningServer> => {
    // An empty rules dir: the bundle adds no ET rule, so the run is quick and its outcome fixed.
    const config = loadConfig({ env: {}, flags: { port: 0, host: '127.0.0.1', dataDir: join(dir, 'data'), logLevel: 'silent', demo: true, rulesDir: join(dir, 'no-rules') } });
    return startServer(config, { webDist: join(dir, 'no-web'), demoSensors: true });
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otasuke-demo-sensors-'));
    mkdirSync(join(dir, 'no-rules'));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('enrolls one sensor per demo subscriber over HTTP, replays its attacks and opens incidents; a restart duplicates nothing', async () => {
    server = await start();
    expect(server.demoLogins).not.toBeNull();
    const statuses = await server.demoSensors!.started;
    expect(statuses.map((s) => s.organization).sort()).toEqual([...SUBSCRIBERS].sort());
    expect(statuses.every((s) => s.enrolled)).toBe(true);
    await server.demoSensors!.delivered;

    const services = server.services;
    const any: AccessScope = { userId: null, tokenId: null, sessionId: null, organizationId: '', organizationKind: 'operator', role: 'operator_admin' };
    operator = { ...any, organizationId: (await services.organizations.list(any, 'operator')).find((o) => o.name === demoOperatorName)!.id };
    const subscribers = await services.organizations.list(operator, 'subscriber');
    const alertCounts: Record<string, number> = {};
    for (const organization of subscribers) {
      const sensors = await services.organizations.listSensors(operator);
      const own = sensors.filter((s) => statuses.find((st) => st.organization === organization.name)?.sensorId === s.id);
      expect(own).toHaveLength(1);
      expect(own[0]).toMatchObject({ status: 'active', name: 'デモセンサー' });
      const alerts = await services.alerts.list(operator, { sensor: own[0]!.id, limit: 1000 });
      // 1 scan + 1 brute force + 12 C2 requests + 1 beacon + 1 file hash + 3 rule hits.
      expect(alerts.items).toHaveLength(19);
      alertCounts[organization.name] = alerts.items.length;
      expect(new Set(alerts.items.map((a) => a.engine))).toEqual(new Set(['behaviour', 'ioc', 'file', 'rule']));

      const incidents = await services.incidents.list(operator, IncidentQuery.parse({ organizationId: organization.id, limit: 200 }));
      const summary = incidents.items.map((i) => `${i.kind} ${i.explain} ${i.direction} ×${i.alertCount}`).sort();
      expect(summary, organization.name).toEqual(EXPECTED_INCIDENTS);
    }

    // The statistics table of this month has the demo's detections in it.
    const today = new Date().toISOString().slice(0, 10);
    const from = `${today.slice(0, 8)}01`;
    const stats = await services.stats.detections(operator, { from: from <= today ? from : today, to: today });
    const row = (direction: string, box: string) => stats.rows.find((r) => r.direction === direction && r.box === box);
    // Inbound: a scan, a brute force and the test file per company; outbound: 12 C2 requests, the beacon, 3 rule hits.
    expect(row('inbound', 'total')).toMatchObject({ companies: 3, detections: 9 });
    expect(row('inbound', 'virus')).toMatchObject({ companies: 3, detections: 3 });
    expect(row('outbound', 'total')).toMatchObject({ companies: 3, detections: 48 });

    // The incidents' mails go to each subscriber's admin (the dev mailbox holds them).
    await services.notifications.tick();
    const mails = await services.outbox.list({ kind: 'all' }, { limit: 200 });
    for (const slug of ['naniwa-seiko', 'shinsaibashi-design', 'sakai-minato-butsuryu']) {
      expect(mails.filter((m) => m.to === `owner@${slug}.demo.otasuke.example` && !m.subject.includes('請求')).length, slug).toBeGreaterThan(0);
    }

    // A restart on the same data dir: no demo data loaded again, no enrollment, no replay.
    await server.close();
    server = await start();
    expect(server.demoLogins).toBeNull();
    const again = await server.demoSensors!.started;
    expect(again.every((s) => !s.enrolled)).toBe(true);
    expect(again.map((s) => s.sensorId).sort()).toEqual(statuses.map((s) => s.sensorId).sort());
    await server.demoSensors!.delivered;
    await new Promise((r) => setTimeout(r, 1500));
    expect(await server.services.organizations.listSensors(operator)).toHaveLength(3);
    for (const status of again) {
      expect((await server.services.alerts.list(operator, { sensor: status.sensorId, limit: 1000 })).items).toHaveLength(alertCounts[status.organization]!);
    }
  }, 180_000);
});
