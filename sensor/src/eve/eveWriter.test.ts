import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import {
  EveRecordInvalidError,
  EveWriter,
  MemoryEveSink,
  buildStatsRecord,
  formatEveTimestamp,
  serializeEveRecord,
} from './eveWriter.ts';
import { DEFAULT_EVE_SCHEMA_PATH, createEveValidator, loadEveSchema, statsCounterPaths } from './eveSchema.ts';
import { EVE_RECORD_SAMPLES } from './eveRecordSamples.ts';
import type { EveRecord } from './eveEvent.ts';

const schemaPresent = existsSync(DEFAULT_EVE_SCHEMA_PATH);
if (!schemaPresent) console.warn(`\n!!! ${DEFAULT_EVE_SCHEMA_PATH} is absent: the schema-backed writer tests are SKIPPED !!!\n`);

describe('serializeEveRecord', () => {
  it("writes the header in Suricata's order, then the event payload, then the rest as given", () => {
    const record = {
      app_proto: 'http',
      alert: { signature_id: 1 },
      proto: 'TCP',
      dest_port: 80,
      event_type: 'alert',
      src_ip: '10.0.0.1',
      flow: { pkts_toserver: 1 },
      timestamp: '2009-10-16T16:44:16.185868+0000',
      pcap_cnt: 6,
      dest_ip: '10.0.0.2',
      src_port: 1025,
      flow_id: 7,
      tx_id: 0,
      direction: 'to_server',
    } as unknown as EveRecord;
    expect(serializeEveRecord(record)).toBe(
      '{"timestamp":"2009-10-16T16:44:16.185868+0000","flow_id":7,"pcap_cnt":6,"event_type":"alert",' +
        '"src_ip":"10.0.0.1","src_port":1025,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","tx_id":0,' +
        '"alert":{"signature_id":1},"app_proto":"http","flow":{"pkts_toserver":1},"direction":"to_server"}',
    );
  });

  it('puts community_id after the addresses and before tx_id, as Suricata\'s header does', () => {
    const record = { tx_id: 3, community_id: '1:abc=', event_type: 'tls', timestamp: 't', tls: { sni: 'a' }, proto: 'TCP', pkt_src: 'wire/pcap' };
    expect(serializeEveRecord(record)).toBe(
      '{"timestamp":"t","event_type":"tls","proto":"TCP","pkt_src":"wire/pcap","community_id":"1:abc=","tx_id":3,"tls":{"sni":"a"}}',
    );
  });

  it('leaves out undefined fields and escapes strings as JSON', () => {
    const record = { timestamp: 't', event_type: 'dns', flow_id: undefined, dns: { version: 3, queries: [{ rrname: 'a"b\n' }] } };
    expect(serializeEveRecord(record)).toBe('{"timestamp":"t","event_type":"dns","dns":{"version":3,"queries":[{"rrname":"a\\"b\\n"}]}}');
  });

  it('round-trips every sample through JSON.parse unchanged', () => {
    for (const record of Object.values(EVE_RECORD_SAMPLES)) {
      expect(JSON.parse(serializeEveRecord(record))).toEqual(record);
    }
  });
});

describe('EveWriter', () => {
  it('writes one line per record to the sink and counts them', () => {
    const sink = new MemoryEveSink();
    const writer = new EveWriter(sink);
    writer.write(EVE_RECORD_SAMPLES.email as EveRecord);
    writer.write(EVE_RECORD_SAMPLES.stats as EveRecord);
    expect(writer.recordsWritten).toBe(2);
    expect(sink.lines).toHaveLength(2);
    expect(sink.lines.every((line) => !line.includes('\n'))).toBe(true);
    expect(JSON.parse(sink.lines[0] as string).event_type).toBe('email');
  });

  it.skipIf(!schemaPresent)('with a validator: throws on a record that breaks the schema, or hands it to onInvalid', () => {
    const validator = createEveValidator();
    const bad = { ...(EVE_RECORD_SAMPLES.email as EveRecord), colour: 'red' } as unknown as EveRecord;
    const sink = new MemoryEveSink();
    expect(() => new EveWriter(sink, { validator }).write(bad)).toThrow(EveRecordInvalidError);
    expect(() => new EveWriter(sink, { validator }).write(bad)).toThrow(
      'EVE email record breaks the schema: (record): unknown field "colour" (the schema allows no other fields here)',
    );
    const rejected: string[][] = [];
    const writer = new EveWriter(sink, { validator, onInvalid: (_record, errors) => rejected.push([...errors]) });
    writer.write(bad);
    writer.write(EVE_RECORD_SAMPLES.email as EveRecord);
    expect(rejected).toEqual([['(record): unknown field "colour" (the schema allows no other fields here)']]);
    expect(writer.recordsWritten).toBe(1);
    expect(sink.lines).toHaveLength(1);
  });
});

describe('formatEveTimestamp', () => {
  it('prints UTC with microseconds and +0000', () => {
    expect(formatEveTimestamp(1255711456, 83524)).toBe('2009-10-16T16:44:16.083524+0000');
    expect(formatEveTimestamp(0, 0)).toBe('1970-01-01T00:00:00.000000+0000');
  });
});

describe('buildStatsRecord', () => {
  it('nests dotted counters under stats with uptime first', () => {
    const { record, dropped } = buildStatsRecord({
      timestamp: '2009-10-16T16:44:16.185868+0000',
      uptime: 3.7,
      counters: new Map([
        ['decoder.pkts', 13],
        ['decoder.ipv4', 13],
        ['flow.end.state.closed', 1],
        ['app_layer.flow.http', 1],
      ]),
    });
    expect(dropped).toEqual([]);
    expect(record).toEqual({
      timestamp: '2009-10-16T16:44:16.185868+0000',
      event_type: 'stats',
      stats: { uptime: 3, decoder: { pkts: 13, ipv4: 13 }, flow: { end: { state: { closed: 1 } } }, app_layer: { flow: { http: 1 } } },
    });
    expect(serializeEveRecord(record)).toBe(
      '{"timestamp":"2009-10-16T16:44:16.185868+0000","event_type":"stats","stats":{"uptime":3,"decoder":{"pkts":13,"ipv4":13},' +
        '"flow":{"end":{"state":{"closed":1}}},"app_layer":{"flow":{"http":1}}}}',
    );
  });

  it('drops non-integers and clashing paths, saying why', () => {
    const { record, dropped } = buildStatsRecord({
      timestamp: 't',
      uptime: 1,
      counters: { 'decoder.pkts': 2, 'decoder.pkts.ipv4': 1, 'decoder.avg_pkt_size': 10.5 },
    });
    expect(record.stats).toEqual({ uptime: 1, decoder: { pkts: 2 } });
    expect(dropped).toEqual(['decoder.pkts.ipv4: clashes with another counter\'s path', 'decoder.avg_pkt_size: 10.5 is not an integer']);
  });

  it.skipIf(!schemaPresent)('keeps only counters the schema allows, and the result validates', () => {
    const schema = loadEveSchema();
    const { record, dropped } = buildStatsRecord({
      timestamp: '2009-10-16T16:44:16.185868+0000',
      uptime: 0,
      counters: { 'decoder.pkts': 13, 'tcp.sessions': 1, 'app_layer.error.dns_udp.parser': 0, 'otasuke.patrols': 4, 'detect.thresholds.bitmap_memuse': 8192 },
      allowedCounters: statsCounterPaths(schema),
    });
    expect(dropped).toEqual(['otasuke.patrols: not a counter of the EVE schema', 'detect.thresholds.bitmap_memuse: not a counter of the EVE schema']);
    expect(record.stats).toEqual({ uptime: 0, decoder: { pkts: 13 }, tcp: { sessions: 1 }, app_layer: { error: { dns_udp: { parser: 0 } } } });
    expect(createEveValidator(schema).validate(record)).toEqual({ ok: true });
  });
});

describe('serializeEveRecord field order', () => {
  const header = ['timestamp', 'flow_id', 'pcap_cnt', 'event_type', 'vlan', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'community_id', 'tx_id'];
  /** The order serializeEveRecord promises, spelled out independently of its fast path. */
  function reference(r: Record<string, unknown>): string {
    const order = ['timestamp', 'flow_id', 'parent_id', 'in_iface', 'pcap_cnt', 'event_type', 'vlan', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'ip_v', 'proto', 'icmp_type', 'icmp_code', 'response_icmp_type', 'response_icmp_code', 'pkt_src', 'community_id', 'tx_id'];
    const payload = typeof r.event_type === 'string' && !order.includes(r.event_type) ? r.event_type : undefined;
    const names = [...order.filter((n) => n in r), ...(payload !== undefined && payload in r ? [payload] : []), ...Object.keys(r).filter((n) => !order.includes(n) && n !== payload)];
    return `{${names.filter((n) => r[n] !== undefined).map((n) => `${JSON.stringify(n)}:${JSON.stringify(r[n])}`).join(',')}}`;
  }

  it('writes the same line whether the record is built in write order or not', () => {
    const name = fc.constantFrom(...header, 'dns', 'http', 'fileinfo', 'app_proto', 'extra', '7');
    const value = fc.oneof(fc.constant(undefined), fc.integer(), fc.string(), fc.constant({ nested: [1, 'x'] }));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: (e) => e[0], maxLength: 12 }), fc.constantFrom('dns', 'http', 'flow', 'stats'), (entries, type) => {
        const r: Record<string, unknown> = Object.fromEntries(entries);
        if (!('event_type' in r)) r.event_type = type;
        expect(serializeEveRecord(r)).toBe(reference(r));
        // The same fields inserted in write order take the one-call path; the line is the same.
        const ordered: Record<string, unknown> = JSON.parse(reference(r)) as Record<string, unknown>;
        expect(serializeEveRecord(ordered)).toBe(reference(r));
      }),
    );
  });
});
