import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EVE_SCHEMA_PATH } from '../eve/eveSchema.ts';
import { serializeEveRecord } from '../eve/eveWriter.ts';
import type { EveDnsRecord, EveRecord } from '../eve/eveEvent.ts';
import { formatVerifyReport, runVerifyCase, runVerifyCases } from './runner.ts';
import type { RunSensor, SensorRunInput } from './runner.ts';
import { DEFAULT_VERIFY_TESTS_DIR } from './testCase.ts';

const present = existsSync(DEFAULT_VERIFY_TESTS_DIR) && existsSync(DEFAULT_EVE_SCHEMA_PATH);
if (!present) console.warn(`\n!!! ../shared/data (suricata-verify, EVE schema) is absent: the runner tests are SKIPPED !!!\n`);

const ROOT = DEFAULT_VERIFY_TESTS_DIR;
const caseDir = (name: string): string => join(ROOT, name);

// What Suricata 8 logs for tests/cond-log-dns-dig/input.pcap, as dns/dns-udp-eve-dig pins it.
const digRequest: EveDnsRecord = {
  timestamp: '2017-01-11T08:21:02.262436+0000',
  flow_id: 1208215290633339,
  pcap_cnt: 1,
  event_type: 'dns',
  src_ip: '10.16.1.11',
  src_port: 41805,
  dest_ip: '10.16.1.1',
  dest_port: 53,
  proto: 'UDP',
  pkt_src: 'wire/pcap',
  dns: { version: 3, type: 'request', tx_id: 0, id: 36146, flags: '0100', rd: true, opcode: 0, rcode: 'NOERROR', queries: [{ rrname: 'www.suricata-ids.org', rrtype: 'A' }] },
};
const digResponse: EveDnsRecord = {
  timestamp: '2017-01-11T08:21:02.290281+0000',
  flow_id: 1208215290633339,
  pcap_cnt: 2,
  event_type: 'dns',
  src_ip: '10.16.1.1',
  src_port: 53,
  dest_ip: '10.16.1.11',
  dest_port: 41805,
  proto: 'UDP',
  pkt_src: 'wire/pcap',
  dns: {
    version: 3,
    type: 'response',
    tx_id: 0,
    id: 36146,
    flags: '81a0',
    qr: true,
    rd: true,
    ra: true,
    opcode: 0,
    rcode: 'NOERROR',
    queries: [{ rrname: 'www.suricata-ids.org', rrtype: 'A' }],
    answers: [
      { rrname: 'www.suricata-ids.org', rrtype: 'CNAME', ttl: 3544, rdata: 'suricata-ids.org' },
      { rrname: 'suricata-ids.org', rrtype: 'A', ttl: 244, rdata: '192.0.78.24' },
      { rrname: 'suricata-ids.org', rrtype: 'A', ttl: 244, rdata: '192.0.78.25' },
    ],
    grouped: { A: ['192.0.78.24', '192.0.78.25'], CNAME: ['suricata-ids.org'] },
  },
};
const lines = (...records: EveRecord[]): string[] => records.map((record) => serializeEveRecord(record));

/** A fake sensor that answers from a table and records what it was asked. */
function cannedSensor(outputs: Record<string, string[]>): { runSensor: RunSensor; calls: SensorRunInput[]; outDirEmpty: boolean[] } {
  const calls: SensorRunInput[] = [];
  const outDirEmpty: boolean[] = [];
  const runSensor: RunSensor = async (input) => {
    calls.push(input);
    outDirEmpty.push(statSync(input.outDir).isDirectory() && readdirSync(input.outDir).length === 0);
    const eveLines = outputs[input.caseName];
    if (eveLines === undefined) throw new Error(`no canned output for ${input.caseName}`);
    return { eveLines };
  };
  return { runSensor, calls, outDirEmpty };
}

describe.skipIf(!present)('runVerifyCase with a fake sensor', () => {
  it('passes dns/dns-udp-eve-dig on the EVE lines Suricata writes, and asks for the right run', async () => {
    const fake = cannedSensor({ 'dns/dns-udp-eve-dig': lines(digRequest, digResponse) });
    const result = await runVerifyCase(caseDir('dns/dns-udp-eve-dig'), fake.runSensor, { rootDir: ROOT });
    expect(result).toEqual({
      name: 'dns/dns-udp-eve-dig',
      kind: 'logging-only',
      status: 'pass',
      checks: [
        { index: 0, type: 'filter', status: 'pass', message: '2 of 2 records match {event_type: dns}' },
        { index: 1, type: 'filter', status: 'pass', message: expect.stringMatching(/^1 of 2 records match \{dest_ip: 10\.16\.1\.1, /) },
        { index: 2, type: 'filter', status: 'pass', message: expect.stringMatching(/^1 of 2 records match \{dest_ip: 10\.16\.1\.11, /) },
        { index: 3, type: 'schema', status: 'pass', message: 'all 2 EVE records pass the schema' },
      ],
    });
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0]!;
    expect({ ...call, outDir: undefined }).toEqual({
      caseName: 'dns/dns-udp-eve-dig',
      caseDir: caseDir('dns/dns-udp-eve-dig'),
      pcap: join(ROOT, 'cond-log-dns-dig', 'input.pcap'),
      rules: undefined,
      outDir: undefined,
      args: [],
      options: { checksumValidation: 'auto', settings: {} },
      eveOutput: undefined,
    });
    expect(fake.outDirEmpty).toEqual([true]);
    expect(existsSync(call.outDir)).toBe(false); // its own temporary folder is gone
  });

  it('fails with the first failing check, expected vs found', async () => {
    const fake = cannedSensor({ 'dns/dns-udp-eve-dig': lines(digRequest) });
    const result = await runVerifyCase(caseDir('dns/dns-udp-eve-dig'), fake.runSensor, { rootDir: ROOT });
    expect(result.status).toBe('fail');
    expect(result.reason).toBe('check 1 (filter): expected 2 records matching {event_type: dns}; found 1 (of 1 in eve.json)');
    expect(result.checks.map((check) => check.status)).toEqual(['fail', 'pass', 'fail', 'pass']);
  });

  it('fails a case whose output breaks the schema even when its checks pass', async () => {
    const broken = { ...digResponse, dns: { ...digResponse.dns, ttl_total: 732 } } as unknown as EveRecord;
    const fake = cannedSensor({ 'dns/dns-udp-eve-dig': lines(digRequest, broken) });
    const result = await runVerifyCase(caseDir('dns/dns-udp-eve-dig'), fake.runSensor, { rootDir: ROOT });
    expect(result.status).toBe('fail');
    expect(result.reason).toBe(
      'check 4 (schema): 1 of 2 EVE records break the schema:\nrecord 2 (dns): dns: unknown field "ttl_total" (the schema allows no other fields here)',
    );
    const unchecked = await runVerifyCase(caseDir('dns/dns-udp-eve-dig'), fake.runSensor, { rootDir: ROOT, validateRecord: false });
    expect(unchecked.status).toBe('pass');
  });

  it('passes alert-testmyids with its shell check skipped, not run', async () => {
    const alert = {
      timestamp: '2009-10-16T16:44:16.185868+0000',
      flow_id: 1,
      pcap_cnt: 6,
      event_type: 'alert',
      src_ip: '192.168.2.3',
      src_port: 37010,
      dest_ip: '208.69.36.231',
      dest_port: 80,
      proto: 'TCP',
      alert: { action: 'allowed', gid: 1, signature_id: 2100498, rev: 7, signature: 'GPL ATTACK_RESPONSE id check returned root', category: 'Potentially Bad Traffic', severity: 2 },
    } as EveRecord;
    const fake = cannedSensor({ 'alert-testmyids': lines(alert) });
    const result = await runVerifyCase(caseDir('alert-testmyids'), fake.runSensor, { rootDir: ROOT });
    expect(result.status).toBe('pass');
    expect(result.kind).toBe('alert');
    expect(result.checks.map((check) => [check.type, check.status])).toEqual([
      ['filter', 'pass'],
      ['filter', 'pass'],
      ['shell', 'skip'],
      ['schema', 'pass'],
    ]);
    expect(fake.calls[0]!.rules).toBe(join(ROOT, 'alert-testmyids', 'test.rules'));
    expect(fake.calls[0]!.pcap).toBe(join(ROOT, 'flowbit-oring', 'input.pcap'));
    expect(fake.calls[0]!.eveOutput?.types?.map((type) => type.name)).toEqual(['alert']);
  });

  it('skips without running the sensor when the case does not apply', async () => {
    const fake = cannedSensor({});
    const result = await runVerifyCase(caseDir('tls/tls-ja3s'), fake.runSensor, { rootDir: ROOT });
    expect(result).toEqual({ name: 'tls/tls-ja3s', kind: 'alert', status: 'skip', reason: 'requires feature HAVE_LUA', checks: [] });
    expect(fake.calls).toEqual([]);
  });

  it('fails when the sensor throws or ends with another exit code', async () => {
    const thrown = await runVerifyCase(caseDir('eve-flow-vlan'), cannedSensor({}).runSensor, { rootDir: ROOT });
    expect(thrown).toEqual({ name: 'eve-flow-vlan', kind: 'logging-only', status: 'fail', reason: 'the sensor failed: no canned output for eve-flow-vlan', checks: [] });
    const exited = await runVerifyCase(caseDir('eve-flow-vlan'), async () => ({ eveLines: [], exitCode: 1 }), { rootDir: ROOT });
    expect(exited.reason).toBe('got exit code 1, expected 0');
  });
});

describe.skipIf(!present)('runVerifyCases and the report', () => {
  it('runs the chosen cases in name order and prints one line each with totals', async () => {
    const wanted = new Set(['dns/dns-udp-eve-dig', 'eve-flow-vlan', 'tls/tls-ja3s']);
    const fake = cannedSensor({ 'dns/dns-udp-eve-dig': lines(digRequest, digResponse), 'eve-flow-vlan': [] });
    const summary = await runVerifyCases(ROOT, fake.runSensor, { only: (name) => wanted.has(name) });
    expect(summary.results.map((result) => [result.name, result.status])).toEqual([
      ['dns/dns-udp-eve-dig', 'pass'],
      ['eve-flow-vlan', 'fail'],
      ['tls/tls-ja3s', 'skip'],
    ]);
    expect([summary.passed, summary.failed, summary.skipped]).toEqual([1, 1, 1]);
    expect(fake.calls.map((call) => call.caseName)).toEqual(['dns/dns-udp-eve-dig', 'eve-flow-vlan']);
    expect(formatVerifyReport(summary)).toBe(
      [
        'PASS  dns/dns-udp-eve-dig  [logging-only]  3/3 checks',
        'FAIL  eve-flow-vlan        [logging-only]  check 1 (filter): expected 1 records matching {event_type: flow, vlan: [6]}; found 0 (of 0 in eve.json)',
        'SKIP  tls/tls-ja3s         [alert]  requires feature HAVE_LUA',
        '',
        'PASSED:  1',
        'FAILED:  1',
        'SKIPPED: 1',
        'logging-only: 1/2 passed',
      ].join('\n'),
    );
    const failedOnly = { ...summary, results: summary.results.filter((result) => result.status === 'fail') };
    expect(formatVerifyReport(failedOnly, { verbose: true }).split('\n').slice(0, 4)).toEqual([
      'FAIL  eve-flow-vlan  [logging-only]  check 1 (filter): expected 1 records matching {event_type: flow, vlan: [6]}; found 0 (of 0 in eve.json)',
      '      check 1 (filter): expected 1 records matching {event_type: flow, vlan: [6]}; found 0 (of 0 in eve.json)',
      '      check 2 (filter): expected 1 records matching {event_type: flow, vlan: [1, 10]}; found 0 (of 0 in eve.json)',
      '',
    ]);
  });
});
