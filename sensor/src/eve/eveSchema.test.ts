import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import {
  DEFAULT_EVE_SCHEMA_PATH,
  createEveValidator,
  instancePathToField,
  loadEveSchema,
  statsCounterPaths,
  validateEveRecord,
} from './eveSchema.ts';
import { EVE_RECORD_SAMPLES } from './eveRecordSamples.ts';

const present = existsSync(DEFAULT_EVE_SCHEMA_PATH);
if (!present) console.warn(`\n!!! ${DEFAULT_EVE_SCHEMA_PATH} is absent: the EVE schema tests are SKIPPED !!!\n`);

const clone = <T>(value: T): T => structuredClone(value);

describe.skipIf(!present)('EVE schema (Suricata 8.0.6)', () => {
  it('is closed at the top level and requires event_type and timestamp', () => {
    const schema = loadEveSchema();
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['event_type', 'timestamp']);
    expect(schema.$schema).toBeUndefined();
  });

  for (const [name, record] of Object.entries(EVE_RECORD_SAMPLES)) {
    it(`accepts a ${name} record`, () => {
      expect(validateEveRecord(record)).toEqual({ ok: true });
    });
  }

  it('rejects an unknown top-level field, naming it', () => {
    const record = { ...clone(EVE_RECORD_SAMPLES.http), severity: 3 };
    expect(validateEveRecord(record)).toEqual({
      ok: false,
      errors: ['(record): unknown field "severity" (the schema allows no other fields here)'],
    });
  });

  it('rejects an unknown nested field with its dotted path and array index', () => {
    const record = clone(EVE_RECORD_SAMPLES['dns response (v3)']) as unknown as { dns: { answers: Record<string, unknown>[] } };
    const answer = record.dns.answers[1] as Record<string, unknown>;
    answer.class = 'IN';
    expect(validateEveRecord(record)).toEqual({
      ok: false,
      errors: ['dns.answers[1]: unknown field "class" (the schema allows no other fields here)'],
    });
  });

  it('rejects wrong types and says what it found', () => {
    const record = clone(EVE_RECORD_SAMPLES['flow (double vlan)']) as unknown as Record<string, Record<string, unknown>>;
    record.flow!.alerted = 'yes';
    record.src_port = '37010' as unknown as Record<string, unknown>;
    expect(validateEveRecord(record)).toEqual({
      ok: false,
      errors: ['flow.alerted: must be boolean, found string "yes"', 'src_port: must be integer, found string "37010"'],
    });
  });

  it('rejects a fractional integer, an empty array and a bad timestamp', () => {
    const record = { ...clone(EVE_RECORD_SAMPLES.http), pcap_cnt: 1.5, vlan: [], timestamp: '2009-10-16 16:44:16' };
    expect(validateEveRecord(record)).toEqual({
      ok: false,
      errors: [
        'pcap_cnt: must be integer, found number 1.5',
        'timestamp: string "2009-10-16 16:44:16" does not match ^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d+[+\\-]\\d+$',
        'vlan: must have at least 1 item(s), found an empty array',
      ],
    });
  });

  it('requires dns.version and rejects a missing timestamp', () => {
    const record = clone(EVE_RECORD_SAMPLES['dns request (v3)']) as unknown as Record<string, Record<string, unknown>>;
    delete record.dns!.version;
    delete record.timestamp;
    expect(validateEveRecord(record)).toEqual({
      ok: false,
      errors: ['(record): missing required field "timestamp"', 'dns: missing required field "version"'],
    });
  });

  it('accepts any key in alert.metadata (the one open object) but checks its values are string arrays', () => {
    const record = clone(EVE_RECORD_SAMPLES['alert with metadata']) as unknown as { alert: { metadata: Record<string, unknown> } };
    record.alert.metadata.mitre_technique_id = ['T1071'];
    expect(validateEveRecord(record)).toEqual({ ok: true });
    record.alert.metadata.policy = 'balanced';
    expect(validateEveRecord(record)).toEqual({ ok: false, errors: ['alert.metadata.policy: must be array, found string "balanced"'] });
  });

  it('rejects a stats counter the schema does not know', () => {
    const record = clone(EVE_RECORD_SAMPLES.stats) as unknown as { stats: { decoder: Record<string, unknown> } };
    record.stats.decoder.otasuke_pkts = 1;
    expect(validateEveRecord(record)).toEqual({
      ok: false,
      errors: ['stats.decoder: unknown field "otasuke_pkts" (the schema allows no other fields here)'],
    });
  });

  it('rejects a record that is not an object', () => {
    expect(validateEveRecord('{"event_type":"dns"}')).toEqual({ ok: false, errors: ['(record): must be object, found string "{\\"event_type\\":\\"dns\\"}"'] });
  });

  it('builds a validator from a schema object as well as from a path', () => {
    const validator = createEveValidator({ type: 'object', additionalProperties: false, properties: { a: { type: 'integer' } } });
    expect(validator.validate({ a: 1 })).toEqual({ ok: true });
    expect(validator.validate({ b: 1 })).toEqual({ ok: false, errors: ['(record): unknown field "b" (the schema allows no other fields here)'] });
  });

  it('lists the stats counters the schema allows, following $refs', () => {
    const paths = statsCounterPaths(loadEveSchema());
    expect(paths.has('uptime')).toBe(true);
    expect(paths.has('decoder.pkts')).toBe(true);
    expect(paths.has('flow.end.tcp_state.close_wait')).toBe(true);
    expect(paths.has('app_layer.flow.dns_udp')).toBe(true);
    expect(paths.has('app_layer.error.http.parser')).toBe(true);
    expect(paths.has('app_layer.error.http.exception_policy.drop_flow')).toBe(true);
    expect(paths.has('detect.engines')).toBe(true);
    expect(paths.has('decoder')).toBe(false);
    expect(paths.has('detect.thresholds.bitmap_memuse')).toBe(false); // Suricata 9 only
  });
});

describe('instancePathToField', () => {
  it('writes JSON pointers the way suricata-verify checks name fields', () => {
    expect(instancePathToField('')).toBe('(record)');
    expect(instancePathToField('/dns/answers/0/rrname')).toBe('dns.answers[0].rrname');
    expect(instancePathToField('/vlan/1')).toBe('vlan[1]');
    expect(instancePathToField('/a~1b/c~0d')).toBe('a/b.c~d');
  });
});
