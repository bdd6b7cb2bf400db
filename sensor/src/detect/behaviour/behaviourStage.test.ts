import { describe, expect, it } from 'vitest';
import { HomeNet } from '../homeNet.ts';
import { BehaviourStage, createBehaviourStage, DEFAULT_BEHAVIOUR_CONFIG } from './index.ts';
import { appRecord, collector, countPacket, SYN, testFlow, testPacket } from './behaviourFixtures.ts';

const home = HomeNet.parse('[192.168.1.0/24]');

describe('createBehaviourStage', () => {
  it('is the "behaviour" stage with the hooks its detectors use', () => {
    const s = createBehaviourStage(DEFAULT_BEHAVIOUR_CONFIG, home);
    expect(s.name).toBe('behaviour');
    expect(s).toBeInstanceOf(BehaviourStage);
    expect([s.onPacket, s.onStream, s.onAppRecord, s.onFlowEnd].every((h) => typeof h === 'function')).toBe(true);
  });

  it('hands each hook to its detectors', () => {
    const s = createBehaviourStage(DEFAULT_BEHAVIOUR_CONFIG, home);
    const { alerts, raise } = collector();
    for (let p = 1; p <= 15; p++) {
      const f = testFlow({ src: '203.0.113.1', dst: '192.168.1.2', dport: p, sec: p });
      countPacket(f, 'toServer', p);
      s.onPacket!(testPacket(p, { flags: SYN }), f, 'toServer', raise);
    }
    const ftp = testFlow({ src: '192.168.1.3', dst: '198.51.100.1', dport: 21, sec: 20 });
    s.onAppRecord!(appRecord(ftp, 'ftp', { ftp: { command: 'USER', command_data: 'u' } }), raise);
    s.onAppRecord!(appRecord(ftp, 'ftp', { ftp: { command: 'PASS', command_data: 'p' } }), raise);
    const pop = testFlow({ src: '192.168.1.3', dst: '198.51.100.2', dport: 110, sec: 21 });
    const line = testPacket(21);
    line.payload = new TextEncoder().encode('USER u\r\nPASS p\r\n');
    s.onPacket!(line, pop, 'toServer', raise);
    s.onPacket!(testPacket(22), null, 'toServer', raise);
    expect(alerts.map((a) => a.signatureId)).toEqual([9_100_010, 9_100_300, 9_100_303]);
  });
});
