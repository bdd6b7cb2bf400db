/**
 * The distribution status the console shows: feeds with their last successful import (kept when a
 * later import fails) and the policies that carry them, the kept bundles with their signatures, and
 * which sensor runs which version — behind first.
 */
import { verify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistributionPlatform, type DistributionPlatform } from './distributionTestPlatform.ts';

const heartbeat = (bundleVersion: string | null) => ({
  sentAt: new Date().toISOString(), agentVersion: '0.1.0', bundleVersion, uptimeSec: 60, packetsPerSec: 1, packetsTotal: 1, dropsTotal: 0, dropRate: 0, cpuPercent: 1, memoryBytes: 1, diskFreeBytes: 1, spoolBacklogEvents: 0, spoolBacklogBytes: 0, spoolDropped: 0,
});

describe(`distribution status (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let d: DistributionPlatform;
  let feedId: string;
  let versions: { old: string; latest: string };

  beforeAll(async () => {
    d = await startDistributionPlatform({ bundles: { rulesDir: fileURLToPath(new URL('./fixtures/rules', import.meta.url)) } }, 'fleet');
    const feed = await d.request(d.sessions.operator, 'POST', '/api/v1/feeds', { name: 'c2-list', format: 'plain', source: 'upload' });
    feedId = feed.json().id;
    const standard = (await d.request(d.sessions.operator, 'GET', '/api/v1/bundle-policies')).json().find((p: { name: string }) => p.name === 'standard');
    expect((await d.request(d.sessions.operator, 'PATCH', `/api/v1/bundle-policies/${standard.id}`, { feedIds: [feedId] })).statusCode).toBe(200);
    const upload = (text: string) => d.request(d.sessions.operator, 'POST', `/api/v1/feeds/${feedId}/import`, text, { 'content-type': 'text/plain' });
    const first = (await upload('domain c2.example.net\n')).json();
    d.platform.clock.advance(60_000);
    const second = (await upload('domain c2.example.net\nip 198.51.100.7\n')).json();
    versions = { old: first.rebuilt[0].version, latest: second.rebuilt[0].version };
    expect(versions.old).not.toBe(versions.latest);
  });
  afterAll(async () => d?.close());

  it('keeps the last successful import when a later one fails, and names the policies using the feed', async () => {
    const ok = (await d.request(d.sessions.analyst, 'GET', '/api/v1/feeds/overview')).json()[0];
    expect(ok).toEqual(expect.objectContaining({ id: feedId, entryCount: 2, policies: ['standard'], lastSuccessAt: ok.lastImport.importedAt }));
    d.platform.clock.advance(60_000);
    const failed = await d.request(d.sessions.operator, 'POST', `/api/v1/feeds/${feedId}/import`, 'nothing readable here\n', { 'content-type': 'text/plain' });
    expect(failed.json().status).toBe('failed');
    const after = (await d.request(d.sessions.analyst, 'GET', '/api/v1/feeds/overview')).json()[0];
    expect(after.lastImport.status).toBe('failed');
    expect(after.lastImport.importedAt).not.toBe(ok.lastSuccessAt);
    expect(after.lastSuccessAt).toBe(ok.lastSuccessAt);
    expect(after.entryCount).toBe(2);
  });

  it('lists the kept bundles with a signature that verifies, and counts the sensors on each', async () => {
    const one = await d.enrollSensor('subscriber');
    const two = await d.enrollSensor('other');
    await d.enrollSensor('other');
    expect((await d.sensorRequest(one.credential, 'POST', '/api/v1/sensors/me/heartbeat', heartbeat(versions.latest))).statusCode).toBe(204);
    expect((await d.sensorRequest(two.credential, 'POST', '/api/v1/sensors/me/heartbeat', heartbeat(versions.old))).statusCode).toBe(204);

    const kept = (await d.request(d.sessions.analyst, 'GET', '/api/v1/bundles/versions')).json() as Array<{ policy: string; version: string; latest: boolean; signature: string; sensors: number; iocCount: number; ruleCount: number }>;
    const standard = kept.filter((b) => b.policy === 'standard');
    expect(standard.map((b) => [b.version, b.latest, b.sensors, b.iocCount])).toEqual([
      [versions.latest, true, 1, 2],
      [versions.old, false, 1, 1],
    ]);
    expect(standard[0]!.ruleCount).toBeGreaterThan(0);
    // The signature is the one served to sensors: it verifies the bundle body with the public key.
    const served = await d.sensorRequest(one.credential, 'GET', '/api/v1/sensors/me/bundle');
    expect(served.headers['x-otasuke-signature']).toBe(standard[0]!.signature);
    const { publicKey } = (await d.request(null, 'GET', '/api/v1/bundles/public-key')).json();
    expect(verify(null, served.rawPayload, publicKey, Buffer.from(standard[0]!.signature, 'base64'))).toBe(true);
  });

  it('tells which sensor is behind, which has no bundle yet, and which runs the latest', async () => {
    const all = (await d.request(d.sessions.analyst, 'GET', '/api/v1/bundles/sensors')).json();
    expect(all.counts).toEqual({ latest: 1, behind: 1, none: 1 });
    expect(all.sensors.map((s: { state: string; organizationName: string; bundleVersion: string | null; latestVersion: string }) => [s.state, s.organizationName, s.bundleVersion, s.latestVersion])).toEqual([
      ['behind', '他社', versions.old, versions.latest],
      ['none', '他社', null, versions.latest],
      ['latest', '加入者株式会社', versions.latest, versions.latest],
    ]);
    const behind = (await d.request(d.sessions.analyst, 'GET', '/api/v1/bundles/sensors?state=behind')).json();
    expect(behind.sensors).toHaveLength(1);
    expect(behind.counts).toEqual(all.counts);
  });

  it('is for operator staff only', async () => {
    for (const url of ['/api/v1/feeds/overview', '/api/v1/bundles/versions', '/api/v1/bundles/sensors']) {
      expect((await d.request(d.sessions.admin, 'GET', url)).statusCode, url).toBe(403);
    }
    expect((await d.request(d.sessions.analyst, 'GET', '/api/v1/bundles/sensors?state=stale')).statusCode).toBe(400);
  });
});
