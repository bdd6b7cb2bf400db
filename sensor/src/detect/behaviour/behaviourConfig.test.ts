import { describe, expect, it } from 'vitest';
import { BehaviourConfigError, DEFAULT_BEHAVIOUR_CONFIG, parseBehaviourConfig } from './behaviourConfig.ts';
import { BEHAVIOUR_SIGNATURES } from './behaviourSids.ts';
import { OTASUKE_SID } from '../detectionStage.ts';

describe('parseBehaviourConfig', () => {
  it('fills every missing key with its default', () => {
    expect(parseBehaviourConfig(undefined)).toEqual(DEFAULT_BEHAVIOUR_CONFIG);
    const c = parseBehaviourConfig({ scan: { minPorts: 50 }, bruteForce: { ssh: { ports: [22, 2222] } } });
    expect(c.scan).toEqual({ ...DEFAULT_BEHAVIOUR_CONFIG.scan, minPorts: 50 });
    expect(c.bruteForce.ssh).toEqual({ ...DEFAULT_BEHAVIOUR_CONFIG.bruteForce.ssh, ports: [22, 2222] });
    expect(c.bruteForce.rdp).toEqual(DEFAULT_BEHAVIOUR_CONFIG.bruteForce.rdp);
    expect(DEFAULT_BEHAVIOUR_CONFIG.scan).toEqual({ windowSec: 300, minPorts: 15, minHosts: 25, minUnansweredFraction: 0.8, realertSec: 3600, maxTracked: 20_000, maxTargetsPerEntry: 1024 });
  });

  it('names every bad field, unknown keys included', () => {
    let error: unknown;
    try {
      parseBehaviourConfig({ scan: { minPorts: 0, windwSec: 60 }, dnsTunnel: { entropyBits: 'high' }, bruteForce: { http: { loginPathPattern: '(' } }, extra: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BehaviourConfigError);
    expect((error as BehaviourConfigError).problems).toEqual([
      'scan.minPorts: Too small: expected number to be >=1',
      'scan.windwSec: unknown key',
      'bruteForce.http.loginPathPattern: not a valid regular expression',
      'dnsTunnel.entropyBits: Invalid input: expected number, received string',
      'extra: unknown key',
    ]);
    expect(() => parseBehaviourConfig('nope')).toThrow(/\(root\): Invalid input: expected object, received string/);
  });

  it('bounds every table: a capacity below 16 or a missing one is refused', () => {
    expect(() => parseBehaviourConfig({ beaconing: { maxTracked: 0 } })).toThrow(/beaconing\.maxTracked: Too small/);
    expect(() => parseBehaviourConfig({ beaconing: { maxTracked: 1.5 } })).toThrow(/beaconing\.maxTracked/);
  });
});

describe('BEHAVIOUR_SIGNATURES', () => {
  it('uses distinct sids inside the reserved behaviour range', () => {
    const sids = Object.values(BEHAVIOUR_SIGNATURES).map((s) => s.signatureId);
    expect(new Set(sids).size).toBe(sids.length);
    for (const sid of sids) {
      expect(sid).toBeGreaterThanOrEqual(OTASUKE_SID.behaviourBase);
      expect(sid).toBeLessThanOrEqual(OTASUKE_SID.behaviourBase + 999);
    }
    expect(Object.values(BEHAVIOUR_SIGNATURES).map((s) => s.explain)).toEqual([
      'inbound_port_scan', 'outbound_port_scan', 'inbound_host_sweep', 'outbound_host_sweep',
      'brute_force_ssh', 'brute_force_rdp', 'brute_force_smb', 'brute_force_ftp', 'brute_force_http',
      'weak_tls_version', 'weak_tls_cipher', 'tls_expired_certificate', 'tls_self_signed_certificate',
      'cleartext_credentials', 'cleartext_credentials', 'cleartext_credentials', 'cleartext_credentials', 'cleartext_credentials',
      'dns_tunnel', 'beaconing',
    ]);
  });
});
