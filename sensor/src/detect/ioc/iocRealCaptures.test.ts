/**
 * The IOC stage on real captures from ../shared/data/pcaps (see MANIFEST.md for what each holds),
 * with a feed listing the indicators public trackers give for them: Emotet's C2 address, payload
 * host and JA3 (abuse.ch SSLBL lists it as Dridex), TrickBot's and Agent Tesla's C2 addresses, the
 * CryptoWall 4 check-in URL, and OpenDNS's test "malware" domain.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { EveRecord } from '../../eve/eveEvent.ts';
import { runCaptureFile } from '../../pipeline/runCapture.ts';
import { HomeNet } from '../homeNet.ts';
import { IocIndex } from './iocIndex.ts';
import { parseIocText } from './iocParse.ts';
import { IocStage } from './iocStage.ts';

// This file is sensor/src/detect/ioc/; five levels up is the folder holding the repo and shared/.
const PCAPS = fileURLToPath(new URL('../../../../../shared/data/pcaps/', import.meta.url));
const present = existsSync(PCAPS);
if (!present) console.warn(`\n!!! ${PCAPS} is absent: the IOC real-capture tests are SKIPPED !!!\n`);

const FEED = `
ja3 51c64c77e60f3980eea90869b68c58a8 malware=Dridex
ip 138.197.147.101 threat=botnet_cc malware=Emotet
domain fkl.co.ke threat=payload_delivery malware=Emotet
ip 82.118.225.196 threat=botnet_cc malware=TrickBot
domain internetbadguys.com threat=malware
url http://homealldaylong.com/76N1Lm.php threat=botnet_cc malware=CryptoWall
ip 45.9.74.78 threat=botnet_cc malware=AgentTesla
`;

async function alertsOf(capture: string): Promise<(string | number)[][]> {
  const parsed = parseIocText(FEED, 'trackers');
  expect(parsed.errors).toEqual([]);
  const homeNet = HomeNet.parse();
  const records: EveRecord[] = [];
  await runCaptureFile(join(PCAPS, capture), (r) => records.push(r), {
    detection: { stages: [new IocStage(IocIndex.fromEntries(parsed.entries), homeNet)], homeNet },
  });
  return records
    .filter((r) => r.event_type === 'alert')
    .map((r) => {
      const a = r as unknown as { src_ip: string; dest_ip: string; alert: { signature_id: number; severity: number; metadata: Record<string, string[]> } };
      const md = a.alert.metadata;
      return [a.alert.signature_id, a.src_ip, a.dest_ip, md.otasuke_direction![0]!, md.otasuke_explain![0]!, a.alert.severity, md.ioc_value![0]!];
    });
}

describe.skipIf(!present)('IOC matches on real captures', () => {
  it('Emotet: payload host by HTTP Host, C2 address and JA3 once per TLS session', async () => {
    expect(await alertsOf('ntop__nDPI/tests/cfgs/default/pcap/emotet.pcap')).toEqual([
      [9200005, '10.3.29.101', '104.161.127.22', 'outbound', 'malicious_site_access', 1, 'fkl.co.ke'],
      [9200001, '10.4.25.101', '138.197.147.101', 'outbound', 'c2_communication', 1, '138.197.147.101'],
      [9200007, '10.4.25.101', '138.197.147.101', 'outbound', 'malicious_tls_fingerprint', 3, '51c64c77e60f3980eea90869b68c58a8'],
      [9200001, '10.4.25.101', '138.197.147.101', 'outbound', 'c2_communication', 1, '138.197.147.101'],
      [9200007, '10.4.25.101', '138.197.147.101', 'outbound', 'malicious_tls_fingerprint', 3, '51c64c77e60f3980eea90869b68c58a8'],
    ]);
  });

  it('TrickBot and Agent Tesla: outbound connections to their C2 addresses', async () => {
    expect(await alertsOf('ntop__nDPI/tests/cfgs/default/pcap/trickbot.pcap')).toEqual([
      [9200001, '10.12.29.101', '82.118.225.196', 'outbound', 'c2_communication', 1, '82.118.225.196'],
    ]);
    expect(await alertsOf('zeek__zeek/testing/btest/Traces/http/ctu-62604-80.pcap')).toEqual([
      [9200001, '192.168.1.108', '45.9.74.78', 'outbound', 'c2_communication', 1, '45.9.74.78'],
    ]);
  });

  it('a listed domain in the DNS query, the TLS SNI and the HTTP Host of one visit', async () => {
    expect(await alertsOf('ntop__nDPI/tests/cfgs/default/pcap/malware.pcap')).toEqual([
      [9200003, '192.168.7.7', '1.1.1.1', 'outbound', 'malicious_site_access', 1, 'internetbadguys.com'],
      [9200004, '192.168.7.7', '67.215.92.210', 'outbound', 'malicious_site_access', 1, 'internetbadguys.com'],
      [9200005, '192.168.7.7', '67.215.92.210', 'outbound', 'malicious_site_access', 1, 'internetbadguys.com'],
    ]);
  });

  it('CryptoWall 4: each C2 check-in to the listed URL', async () => {
    expect(await alertsOf('chrissanders__packets/cryptowall4_c2.pcapng')).toEqual(
      Array.from({ length: 3 }, () => [9200006, '192.168.122.145', '184.170.149.44', 'outbound', 'c2_communication', 1, 'homealldaylong.com/76N1Lm.php']),
    );
  });
});
