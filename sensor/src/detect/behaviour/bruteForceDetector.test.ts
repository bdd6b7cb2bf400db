import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR_CONFIG, parseBehaviourConfig } from './behaviourConfig.ts';
import { appRecord, collector, countPacket, testFlow } from './behaviourFixtures.ts';
import { BruteForceDetector } from './bruteForceDetector.ts';
import type { Flow } from '../../flow/flow.ts';

const GUESSER = '198.51.100.20';
const SERVER = '192.168.1.5';

/** A short session like a refused login: 12 packets each way, `toClient` bytes back, `seconds` long. */
function session(dport: number, start: number, toClient = 3500, seconds = 4, src = GUESSER): Flow {
  const f = testFlow({ src, dst: SERVER, dport, sec: start });
  for (let i = 0; i < 12; i++) {
    countPacket(f, 'toServer', start + (i * seconds) / 12, 300);
    countPacket(f, 'toClient', start + (i * seconds) / 12, Math.floor(toClient / 12));
  }
  countPacket(f, 'toServer', start + seconds, 0);
  return f;
}

describe('BruteForceDetector', () => {
  it('raises one SSH brute force after 10 short sessions in the window', () => {
    const d = new BruteForceDetector(DEFAULT_BEHAVIOUR_CONFIG.bruteForce);
    const { alerts, raise } = collector();
    for (let i = 0; i < 40; i++) d.onFlowEnd(session(22, 100 + i * 6), raise);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect([a.signatureId, a.explain, a.severity, a.category, a.direction, a.flow?.srcIp]).toEqual([
      9_100_100, 'brute_force_ssh', 2, 'Attempted Administrator Privilege Gain', 'toServer', GUESSER,
    ]);
    expect(a.metadata).toEqual({ sessions: ['10'], service: ['ssh'], server_port: ['22'], span_sec: ['54'], window_sec: ['300'] });
  });

  it('recognises SSH on another port by its banner record', () => {
    const d = new BruteForceDetector(DEFAULT_BEHAVIOUR_CONFIG.bruteForce);
    const { alerts, raise } = collector();
    for (let i = 0; i < 10; i++) {
      const f = session(902, i);
      d.onAppRecord(appRecord(f, 'ssh', { ssh: { client: { proto_version: '2.0' } } }), raise);
      d.onFlowEnd(f, raise);
    }
    expect(alerts.map((a) => a.signatureId)).toEqual([9_100_100]);
  });

  it('does not count long or large sessions, nor SYN probes, nor slow attempts', () => {
    const d = new BruteForceDetector(DEFAULT_BEHAVIOUR_CONFIG.bruteForce);
    const { alerts, raise } = collector();
    for (let i = 0; i < 20; i++) d.onFlowEnd(session(22, i * 100, 3500, 120), raise); // 2-minute sessions
    for (let i = 0; i < 20; i++) d.onFlowEnd(session(22, 5000 + i, 50_000), raise); // real work done
    for (let i = 0; i < 20; i++) {
      const f = testFlow({ src: GUESSER, dst: SERVER, dport: 22, sec: 9000 + i });
      countPacket(f, 'toServer', 9000 + i);
      countPacket(f, 'toClient', 9000 + i);
      d.onFlowEnd(f, raise); // SYN, RST: a scan, not a login
    }
    for (let i = 0; i < 20; i++) d.onFlowEnd(session(22, 20_000 + i * 60), raise); // one a minute: 5 per window
    expect(alerts).toEqual([]);
  });

  it('raises RDP and SMB brute force by port', () => {
    const d = new BruteForceDetector(DEFAULT_BEHAVIOUR_CONFIG.bruteForce);
    const { alerts, raise } = collector();
    for (let i = 0; i < 12; i++) d.onFlowEnd(session(3389, i * 2, 9000), raise);
    for (let i = 0; i < 12; i++) d.onFlowEnd(session(445, i * 2, 9000), raise);
    expect(alerts.map((a) => [a.signatureId, a.explain])).toEqual([
      [9_100_101, 'brute_force_rdp'],
      [9_100_102, 'brute_force_smb'],
    ]);
  });

  it('counts FTP 530 replies across sessions', () => {
    const d = new BruteForceDetector(DEFAULT_BEHAVIOUR_CONFIG.bruteForce);
    const { alerts, raise } = collector();
    for (let i = 0; i < 30; i++) {
      const f = session(21, i * 2);
      d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'USER', command_data: 'admin', completion_code: ['331'], reply_received: 'yes' } }), raise);
      d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'PASS', command_data: 'x', completion_code: ['530'], reply_received: 'yes' } }), raise);
    }
    expect(alerts.map((a) => [a.signatureId, a.explain, a.metadata?.failed_logins])).toEqual([[9_100_103, 'brute_force_ftp', ['10']]]);
  });

  it('counts 401/403 on one host+path and POSTs to login paths, not 404s of a crawler', () => {
    const d = new BruteForceDetector(DEFAULT_BEHAVIOUR_CONFIG.bruteForce);
    const { alerts, raise } = collector();
    const f = session(80, 0);
    for (let i = 0; i < 50; i++) d.onAppRecord(appRecord(f, 'http', { http: { hostname: 'shop.example', url: `/page${i}`, http_method: 'GET', status: 404 } }), raise);
    for (let i = 0; i < 9; i++) d.onAppRecord(appRecord(f, 'http', { http: { hostname: 'nas.local', url: '/admin/', http_method: 'GET', status: 401 } }), raise);
    expect(alerts).toEqual([]);
    d.onAppRecord(appRecord(f, 'http', { http: { hostname: 'nas.local', url: '/admin/?x=1', http_method: 'GET', status: 401 } }), raise);
    for (let i = 0; i < 10; i++) d.onAppRecord(appRecord(f, 'http', { http: { hostname: 'blog.example', url: '/wp-login.php', http_method: 'POST', status: 200 } }), raise);
    expect(alerts.map((a) => [a.signatureId, a.metadata?.url])).toEqual([
      [9_100_104, ['nas.local/admin/']],
      [9_100_104, ['blog.example/wp-login.php']],
    ]);
  });

  it('keeps its state bounded under a flood of sources', () => {
    const d = new BruteForceDetector(parseBehaviourConfig({ bruteForce: { maxTracked: 100 } }).bruteForce);
    const { alerts, raise } = collector();
    for (let i = 0; i < 5000; i++) d.onFlowEnd(session(22, i * 0.01, 3500, 1, `10.0.${i >> 8}.${i & 255}`), raise);
    expect(alerts).toEqual([]);
    expect(d.tracked).toBe(100);
  });
});
