import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderIncidentText } from './incidentText.ts';
import { CLASSTYPE_GROUPS, EXPLAIN_KEYS, OWNER_TEXTS } from './ownerTexts.ts';

const CLASSIFICATION = '../shared/data/et-open/classification.config';
const present = existsSync(CLASSIFICATION);
if (!present) console.warn(`\n*** ${CLASSIFICATION} is absent: the ET Open classtype coverage test is SKIPPED ***\n`);

const sensorKeys = [
  'c2_communication', 'malicious_site_access', 'inbound_from_known_attacker', 'malicious_tls_fingerprint', 'malware_file',
  'inbound_port_scan', 'inbound_host_sweep', 'brute_force_ssh', 'brute_force_rdp', 'brute_force_smb', 'brute_force_ftp', 'brute_force_http',
  'weak_tls_version', 'weak_tls_cipher', 'tls_expired_certificate', 'tls_self_signed_certificate', 'cleartext_credentials', 'dns_tunnel',
  'beaconing', 'sensor_silent', 'sensor_drops', 'sensor_old_bundle',
];

describe('owner texts', () => {
  it('has a text for every explain key the sensor emits, and nothing else', () => {
    expect([...EXPLAIN_KEYS].sort()).toEqual([...sensorKeys].sort());
  });

  it.skipIf(!present)('covers every classtype of ET Open classification.config', () => {
    const classtypes = readFileSync(CLASSIFICATION, 'utf8')
      .split('\n')
      .map((line) => /^config classification:\s*([^,]+),/.exec(line)?.[1]?.trim())
      .filter((c): c is string => c !== undefined);
    expect(classtypes.length).toBe(42);
    expect(classtypes.filter((c) => !(c in CLASSTYPE_GROUPS))).toEqual([]);
  });

  const allKeys = [...sensorKeys, ...Object.keys(CLASSTYPE_GROUPS).map((c) => `rule.${c}`)];
  it.each(['ja', 'en'] as const)('renders every key in %s with every part and no unfilled placeholder', (locale) => {
    for (const explain of allKeys) {
      const text = renderIncidentText({ explain, insideHost: '192.168.1.23', peer: '203.0.113.9', alertCount: 1234 }, locale);
      expect(text.subject.length, explain).toBeGreaterThan(6);
      expect(text.body, explain).not.toMatch(/\{\{|\}\}|undefined|null/);
      expect(text.body.split('\n\n'), explain).toHaveLength(4);
      // Japanese texts are Japanese; English texts carry no Japanese.
      if (locale === 'ja') expect(text.body, explain).toMatch(/[ぁ-ん]/);
      else expect(text.body, explain).not.toMatch(/[ぁ-んァ-ン一-龯]/);
    }
  });

  it('has both languages for every entry', () => {
    for (const [key, bilingual] of Object.entries(OWNER_TEXTS)) {
      for (const locale of ['ja', 'en'] as const) {
        for (const part of ['title', 'what', 'severity', 'doing', 'action'] as const) expect(bilingual[locale][part].length, `${key} ${locale} ${part}`).toBeGreaterThan(5);
      }
    }
  });

  it('tells the owner of an infected PC to unplug it, not to pay, and to call the desk', () => {
    const text = renderIncidentText({ explain: 'c2_communication', insideHost: '192.168.1.23', peer: '198.51.100.7', alertCount: 42 }, 'ja');
    expect(text.subject).toBe('【お助け隊】パソコンが攻撃者のサーバーと通信しています');
    expect(text.body).toContain('社内の 192.168.1.23 が、攻撃者が操るサーバー（198.51.100.7）と通信していました（42件）。');
    expect(text.body).toContain('LANケーブルを抜き、Wi-Fiを切ってください');
    expect(text.body).toContain('払わないでください');
    expect(text.body).toContain('お助け隊の窓口にお電話ください');
  });

  it('uses plain words when the host or peer is unknown, and the analyst\'s text when edited', () => {
    const plain = renderIncidentText({ explain: 'inbound_host_sweep', insideHost: null, peer: null, alertCount: 10_000 }, 'ja');
    expect(plain.body).toContain('インターネット上の相手 が、会社のネットワークにある機器を次々に探していました（10,000件）。');
    const edited = renderIncidentText({ explain: 'dns_tunnel', insideHost: '10.0.0.5', peer: null, alertCount: 3, customerTextJa: '担当者より: 確認済みです。', customerTextEn: null }, 'ja');
    expect(edited.body).toBe('担当者より: 確認済みです。');
    expect(renderIncidentText({ explain: 'dns_tunnel', insideHost: '10.0.0.5', peer: null, alertCount: 3, customerTextJa: 'x', customerTextEn: null }, 'en').body).toContain('10.0.0.5');
  });
});
