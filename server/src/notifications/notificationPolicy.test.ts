import { describe, expect, it } from 'vitest';
import { decideSend, DEFAULT_NOTIFICATION_POLICY as policy, webhookBackoffMs, type NotificationState } from './notificationPolicy.ts';
import { isInternalAddress, checkWebhookTarget } from './webhookTarget.ts';

const MINUTE = 60_000;
const t0 = new Date('2026-04-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);
const state = (over: Partial<NotificationState> = {}): NotificationState => ({ firstSentAt: t0, lastSentAt: t0, sends: 1, lastAlertCount: 10, acknowledgedAt: null, ...over });
const c2 = { kind: 'c2_communication' as const, priority: 'P1' as const, alertCount: 10 };

describe('decideSend', () => {
  it('tells P1 and P2 at once, leaves P3 to the digest and P4 alone', () => {
    expect(decideSend(policy, c2, null, t0)).toEqual({ purpose: 'incident', escalate: false, newDetections: 0 });
    expect(decideSend(policy, { ...c2, priority: 'P2' }, null, t0)?.purpose).toBe('incident');
    expect(decideSend(policy, { ...c2, priority: 'P3' }, null, t0)).toBeNull();
    expect(decideSend(policy, { ...c2, priority: 'P4' }, null, t0)).toBeNull();
  });
  it('throttles new detections to one send per 15 minutes and counts them', () => {
    expect(decideSend(policy, { ...c2, alertCount: 5000 }, state(), at(14))).toBeNull();
    expect(decideSend(policy, { ...c2, alertCount: 5000 }, state(), at(15))).toEqual({ purpose: 'reminder', escalate: false, newDetections: 4990 });
  });
  it('reminds after 30 quiet minutes and escalates from the second reminder on', () => {
    expect(decideSend(policy, c2, state(), at(29))).toBeNull();
    expect(decideSend(policy, c2, state(), at(30))).toEqual({ purpose: 'reminder', escalate: false, newDetections: 0 });
    expect(decideSend(policy, c2, state({ sends: 2, lastSentAt: at(30) }), at(60))).toEqual({ purpose: 'escalation', escalate: true, newDetections: 0 });
  });
  it('stops after the acknowledgement, and tells a sensor problem once', () => {
    expect(decideSend(policy, { ...c2, alertCount: 99 }, state({ acknowledgedAt: at(1) }), at(300))).toBeNull();
    expect(decideSend(policy, { ...c2, kind: 'sensor_health', priority: 'P2' }, state(), at(300))).toBeNull();
  });
  it('waits 0, 1, 4, 16 s before webhook attempts 1–4', () => {
    expect([1, 2, 3, 4].map(webhookBackoffMs)).toEqual([0, 1000, 4000, 16000]);
  });
});

describe('webhook targets', () => {
  it('knows the internal and metadata ranges', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) expect(isInternalAddress(a), a).toBe(true);
    for (const a of ['203.0.113.7', '172.32.0.1', '8.8.8.8', '2001:db8::1']) expect(isInternalAddress(a), a).toBe(false);
  });
  it('refuses a name that resolves to an internal address, and allows it when the operator says so', async () => {
    const resolve = async () => ['93.184.216.34', '169.254.169.254'];
    await expect(checkWebhookTarget('https://rebind.example/hook', { allowInternal: false, resolve })).rejects.toThrow(/internal or metadata address \(169\.254\.169\.254\)/);
    await expect(checkWebhookTarget('https://rebind.example/hook', { allowInternal: true, resolve })).resolves.toBeUndefined();
    await expect(checkWebhookTarget('https://ok.example/hook', { allowInternal: false, resolve: async () => ['93.184.216.34'] })).resolves.toBeUndefined();
    await expect(checkWebhookTarget('ftp://ok.example/', { allowInternal: true })).rejects.toThrow(/http\(s\) only/);
  });
});
