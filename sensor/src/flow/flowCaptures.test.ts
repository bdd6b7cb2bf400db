/**
 * Real captures through capture/ + decode/ + the flow engine: the flow records Suricata expects in
 * suricata-verify cases, and TCP conversation counts as tshark sees them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { readCaptureBytes } from '../capture/captureReader.ts';
import { PacketDecoder } from '../decode/decoder.ts';
import { FlowEngine } from './flowEngine.ts';
import type { FlowEngineConfig } from './flowEngine.ts';
import type { EveFlowRecord } from './flowRecord.ts';

const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const haveData = existsSync(DATA);
if (!haveData) console.warn(`\n!!! ${DATA} is missing: the real-capture flow tests are SKIPPED !!!\n`);

interface Run {
  records: EveFlowRecord[];
  /** Reassembled or datagram bytes per `flow_id:direction`. */
  bytes: Map<string, number>;
}

function run(file: string, config: Partial<FlowEngineConfig> = {}): Run {
  const { packets } = readCaptureBytes(new Uint8Array(readFileSync(DATA + file)));
  const decoder = new PacketDecoder();
  const engine = new FlowEngine(config);
  const records: EveFlowRecord[] = [];
  const bytes = new Map<string, number>();
  for (const c of packets) {
    const r = engine.onPacket(decoder.decode(c));
    for (const e of r.ended) records.push(e.record);
    for (const ch of r.chunks) {
      const k = `${r.flow!.flowId}:${ch.direction}`;
      bytes.set(k, (bytes.get(k) ?? 0) + ch.data.length);
    }
  }
  for (const e of engine.flush()) records.push(e.record);
  return { records, bytes };
}

const SCHEMA = `${DATA}suricata/eve-schema-8.0.6.json`;
const validateEve = haveData ? new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object) : null;

/** Every flow record must pass Suricata's (closed) EVE schema: the contract with the ingest. */
function expectSchemaValid(records: readonly EveFlowRecord[]): void {
  for (const r of records) {
    const ok = validateEve!(r);
    expect(validateEve!.errors ?? [], JSON.stringify(r)).toEqual([]);
    expect(ok).toBe(true);
  }
}

/** What the test.yaml of suricata-verify community-id-ipv6 checks on the flow events. */
describe.skipIf(!haveData)('suricata-verify flow expectations', () => {
  it('community-id-ipv6 (community-id-seed 7)', () => {
    const { records, bytes } = run('suricata-verify/tests/community-id-ipv6/input.pcap', { communityIdSeed: 7 });
    const pick = (r: EveFlowRecord): unknown => ({ src_port: r.src_port, dest_port: r.dest_port, proto: r.proto, community_id: r.community_id, flow: { ...r.flow, start: undefined, end: undefined }, tcp: r.tcp });
    expect(records.map(pick)).toEqual([
      {
        src_port: 33892,
        dest_port: 443,
        proto: 'TCP',
        community_id: '1:PGf+a0eBbs1OhuPtJmsF0Sm51v4=',
        flow: { pkts_toserver: 17, pkts_toclient: 17, bytes_toserver: 2303, bytes_toclient: 7122, start: undefined, end: undefined, age: 0, state: 'established', reason: 'shutdown', alerted: false },
        tcp: { tcp_flags: '1a', tcp_flags_ts: '1a', tcp_flags_tc: '1a', syn: true, psh: true, ack: true, state: 'established' },
      },
      {
        src_port: 60202,
        dest_port: 443,
        proto: 'TCP',
        community_id: '1:ptJhMvufAbB5nLDNW77cB800wFM=',
        flow: { pkts_toserver: 18, pkts_toclient: 18, bytes_toserver: 2439, bytes_toclient: 28862, start: undefined, end: undefined, age: 0, state: 'closed', reason: 'shutdown', alerted: false },
        tcp: { tcp_flags: '1b', tcp_flags_ts: '1b', tcp_flags_tc: '1b', syn: true, fin: true, psh: true, ack: true, state: 'closed' },
      },
    ]);
    expect(records.map((r) => [r.src_ip, r.dest_ip])).toEqual([
      ['2600:1f13:f8:d400:3a6:303c:e011:18eb', '2001:4860:4860::8888'],
      ['2600:1f13:f8:d400:3a6:303c:e011:18eb', '2607:f8b0:400a:800::200e'],
    ]);
    // Reassembled payload equals the sum of TCP payload lengths per direction (tshark: 833, 883, 32958).
    expect([...bytes.values()].sort((a, b) => a - b)).toEqual([833, 883, 5652, 27306]);
    expectSchemaValid(records);
  });

  it('community-id-ipv4 (community-id-seed 7)', () => {
    const { records } = run('suricata-verify/tests/community-id-ipv4/input.pcap', { communityIdSeed: 7 });
    expectSchemaValid(records);
    const tls = records.filter((r) => r.dest_port === 443);
    expect(tls.map((r) => [r.src_ip, r.src_port, r.dest_ip, r.proto, r.community_id])).toEqual([
      ['172.26.0.39', 35958, '172.217.14.206', 'TCP', '1:IwiTNfuO7aCaamMijl+7/X9uLx0='],
    ]);
  });

  it('eve-flow-vlan: one flow per VLAN stack', () => {
    const { records } = run('suricata-verify/tests/eve-flow-vlan/input.pcap');
    expect(records.map((r) => r.vlan)).toEqual([[6], [1, 10]]);
    expectSchemaValid(records);
  });
});

/** tshark's TCP conversations as `a:port|b:port` (sorted) → frames. */
function tsharkConversations(path: string): Map<string, number> {
  const text = execFileSync('tshark', ['-r', path, '-q', '-z', 'conv,tcp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+\S+(?:\s+\S*bytes|\s+[kMG]B)?\s+(\d+)/.exec(line);
    if (m === null) continue;
    const key = [`${m[1]}:${m[2]}`, `${m[3]}:${m[4]}`].sort().join('|');
    out.set(key, (out.get(key) ?? 0) + Number(m[5]) + Number(m[6]));
  }
  return out;
}

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!haveData)('TCP flows against tshark conv,tcp', () => {
  const tshark = haveData && haveTshark();
  if (!tshark) console.warn('\n!!! tshark is not installed: the conversation comparison is SKIPPED !!!\n');

  for (const [file, expectedFlows] of [
    ['pcaps/chrissanders__packets/synscan.pcapng', 1994],
    ['pcaps/chrissanders__packets/sessionhijacking.pcapng', 14],
    ['pcaps/chrissanders__packets/tcp_ports.pcapng', 8],
  ] as const) {
    it.skipIf(!tshark)(`${file}: same conversations, same frame counts`, () => {
      const expected = tsharkConversations(DATA + file);
      expect(expected.size).toBe(expectedFlows);
      const ours = new Map<string, number>();
      const { records } = run(file);
      expectSchemaValid(records);
      for (const r of records) {
        if (r.proto !== 'TCP') continue;
        const key = [`${r.src_ip}:${r.src_port}`, `${r.dest_ip}:${r.dest_port}`].sort().join('|');
        ours.set(key, (ours.get(key) ?? 0) + r.flow.pkts_toserver + r.flow.pkts_toclient);
      }
      expect(ours).toEqual(expected);
    }, 30_000);
  }
});
