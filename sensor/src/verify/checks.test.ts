import { describe, it, expect } from 'vitest';
import { checkOutputOf, describeMatch, evaluateCheckEntry, evaluateFilterCheck, evaluateStatsCheck, findValue, matchEvent, parseJsonLines } from './checks.ts';
import type { CheckEnvironment, CheckOutput } from './checks.ts';
import { parseVerifyYaml } from './testCase.ts';

const dnsResponse = {
  timestamp: '2017-01-11T08:21:02.290281+0000',
  flow_id: 1,
  pcap_cnt: 2,
  event_type: 'dns',
  src_ip: '10.16.1.1',
  src_port: 53,
  dest_ip: '10.16.1.11',
  dest_port: 41805,
  proto: 'UDP',
  vlan: [1, 10],
  dns: {
    version: 3,
    type: 'response',
    id: 36146,
    flags: '81a0',
    qr: true,
    rcode: 'NOERROR',
    queries: [{ rrname: 'www.suricata-ids.org', rrtype: 'A' }],
    answers: [
      { rrname: 'www.suricata-ids.org', rrtype: 'CNAME', ttl: 3544, rdata: 'suricata-ids.org' },
      { rrname: 'suricata-ids.org', rrtype: 'A', ttl: 244, rdata: '192.0.78.24' },
    ],
    grouped: { A: ['192.0.78.24'], CNAME: ['suricata-ids.org'] },
  },
};
const alert = {
  timestamp: '2009-10-16T16:44:16.185868+0000',
  event_type: 'alert',
  pcap_cnt: 6,
  alert: { signature_id: 1, signature: 'msg escape tests', gid: 1, metadata: { policy: ['balanced'] } },
  flow: { alerted: true },
};
const alert2 = { ...alert, pcap_cnt: 7, alert: { ...alert.alert, signature_id: 2 } };
const stats1 = { timestamp: 't', event_type: 'stats', stats: { uptime: 1, decoder: { pkts: 5 } } };
const stats2 = { timestamp: 't', event_type: 'stats', stats: { uptime: 2, decoder: { pkts: 13, ipv4: 13 } } };
const EVE = [dnsResponse, alert, alert2, stats1, stats2];

const output = (records: readonly unknown[] = EVE): CheckOutput => checkOutputOf(records);
const env: CheckEnvironment = { capabilities: { version: '8.0.6', features: new Set(['HAVE_JA3']) }, testDir: '/nonexistent' };
/** A filter check as a test.yaml would write it, parsed like PyYAML. */
const filter = (yamlText: string): unknown => parseVerifyYaml(yamlText);

describe('findValue (suricata-verify find_value)', () => {
  it('follows dotted paths and one [n] index per part', () => {
    expect(findValue('event_type', dnsResponse)).toBe('dns');
    expect(findValue('dns.answers[1].rdata', dnsResponse)).toBe('192.0.78.24');
    expect(findValue('dns.grouped.A[0]', dnsResponse)).toBe('192.0.78.24');
    expect(findValue('vlan[1]', dnsResponse)).toBe(10);
  });

  it('finds nothing for a bare numeric part, an index out of range or a missing key', () => {
    expect(findValue('dns.answers.0.rrname', dnsResponse)).toBeUndefined();
    expect(findValue('dns.answers[5].rrname', dnsResponse)).toBeUndefined();
    expect(findValue('dns.authorities', dnsResponse)).toBeUndefined();
    expect(findValue('dns.id.x', dnsResponse)).toBeUndefined();
  });

  it('indexes into strings as Python does', () => {
    expect(findValue('dns.flags[0]', dnsResponse)).toBe('8');
  });

  it('returns the length at __len (-1 when there is none) and stops at an operator part', () => {
    expect(findValue('dns.answers.__len', dnsResponse)).toBe(2);
    expect(findValue('dns.flags.__len', dnsResponse)).toBe(4);
    expect(findValue('dns.grouped.__len', dnsResponse)).toBe(2);
    expect(findValue('dns.id.__len', dnsResponse)).toBe(-1);
    expect(findValue('dns.rcode.__startswith', dnsResponse)).toBe('NOERROR');
  });
});

describe('matchEvent: one operator at a time, pass and fail', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['equality', { 'dns.rcode': 'NOERROR' }, true],
    ['equality, wrong value', { 'dns.rcode': 'NXDOMAIN' }, false],
    ['equality never mixes str and int', { src_port: '53' }, false],
    ['True == 1 as in Python', { 'dns.qr': 1 }, true],
    ['lists compare whole', { vlan: [1, 10] }, true],
    ['lists compare whole, wrong order', { vlan: [10, 1] }, false],
    ['dicts compare whole', { 'dns.grouped': { CNAME: ['suricata-ids.org'], A: ['192.0.78.24'] } }, true],
    ['dicts compare whole, a key short', { 'dns.grouped': { A: ['192.0.78.24'] } }, false],
    ['null expects a missing field', { 'dns.authorities': null }, true],
    ['__len', { 'dns.answers.__len': 2 }, true],
    ['__len, wrong', { 'dns.answers.__len': 3 }, false],
    ['__find on str()', { 'dns.answers[0].rrname.__find': 'suricata' }, true],
    ['__find on str() of a number', { 'dns.id.__find': '614' }, true],
    ['__find, absent', { 'dns.answers[0].rrname.__find': 'oisf' }, false],
    ['__find on a missing field', { 'dns.nothing.__find': '' }, false],
    ['__startswith', { 'dns.queries[0].rrname.__startswith': 'www.' }, true],
    ['__startswith, wrong', { 'dns.queries[0].rrname.__startswith': 'ftp.' }, false],
    ['__endswith', { 'dns.queries[0].rrname.__endswith': '.org' }, true],
    ['__endswith, wrong', { 'dns.queries[0].rrname.__endswith': '.com' }, false],
    ['__contains in a list', { 'dns.grouped.A.__contains': '192.0.78.24' }, true],
    ['__contains in a list, absent', { 'dns.grouped.A.__contains': '192.0.78.25' }, false],
    ['__contains in a string', { 'dns.rcode.__contains': 'ERR' }, true],
    ['__contains of a number in a string is a TypeError: False', { 'dns.flags.__contains': 81 }, false],
    ['__gt', { 'dns.id.__gt': 36145 }, true],
    ['__gt, equal', { 'dns.id.__gt': 36146 }, false],
    ['__gte', { 'dns.id.__gte': 36146 }, true],
    ['__lt', { 'dns.answers[0].ttl.__lt': 3545 }, true],
    ['__lte, wrong', { 'dns.answers[0].ttl.__lte': 3543 }, false],
    ['comparisons ignore non-numbers', { 'dns.rcode.__gt': 1 }, false],
    ['comparisons ignore booleans', { 'dns.qr.__gte': 0 }, false],
    ['has-key', { 'has-key': 'dns.grouped.CNAME' }, true],
    ['has-key, absent', { 'has-key': 'dns.authorities' }, false],
    ['has-key with a list: all present', { 'has-key': ['dns.id', 'dns.flags'] }, true],
    ['not-has-key', { 'not-has-key': 'alert.engine' }, true],
    ['not-has-key, present', { 'not-has-key': 'dns.id' }, false],
    ['every entry must hold', { event_type: 'dns', 'dns.rcode': 'NOERROR', src_port: 53 }, true],
    ['every entry must hold, one does not', { event_type: 'dns', 'dns.rcode': 'NOERROR', src_port: 54 }, false],
  ];
  for (const [name, match, expected] of cases) {
    it(`${name}: ${JSON.stringify(match)} → ${expected}`, () => {
      expect(matchEvent(match, dnsResponse)).toBe(expected);
    });
  }
});

describe('evaluateFilterCheck', () => {
  it('passes when the count is exact, saying how many of how many matched', () => {
    const config = filter('count: 2\nmatch:\n  event_type: alert\n');
    expect(evaluateFilterCheck(0, config, output(), env)).toEqual({
      index: 0,
      type: 'filter',
      status: 'pass',
      message: '2 of 5 records match {event_type: alert}',
    });
  });

  it('passes a count of 0 when nothing matches', () => {
    const config = filter('count: 0\nmatch:\n  event_type: alert\n  alert.signature_id: 3\n');
    expect(evaluateFilterCheck(1, config, output(), env).status).toBe('pass');
  });

  it('fails with expected vs found, and names the near misses', () => {
    const config = filter('count: 1\nmatch:\n  event_type: alert\n  alert.signature_id: 3\n');
    expect(evaluateFilterCheck(2, config, output(), env)).toEqual({
      index: 2,
      type: 'filter',
      status: 'fail',
      message:
        'expected 1 records matching {event_type: alert, alert.signature_id: 3}; found 0 (of 5 in eve.json)\n' +
        'near misses: line 2: all but alert.signature_id (found 1); line 3: all but alert.signature_id (found 2)',
    });
  });

  it('puts the comment first when the check has one', () => {
    const config = filter('count: 3\ncomment: two alerts only\nmatch:\n  event_type: alert\n');
    expect(evaluateFilterCheck(0, config, output(), env).message).toBe(
      'two alerts only: expected 3 records matching {event_type: alert}; found 2 (of 5 in eve.json)',
    );
  });

  it('reads YAML values as PyYAML does (tcp flags stay strings, quoted numbers stay strings)', () => {
    const flow = { event_type: 'flow', tcp: { tcp_flags: '1b', tcp_flags_tc: '12' }, flow: { start: '2009-10-16T16:44:16.083524+0000' } };
    const config = filter("count: 1\nmatch:\n  tcp.tcp_flags: 1b\n  tcp.tcp_flags_tc: '12'\n  flow.start: 2009-10-16T16:44:16.083524+0000\n");
    expect(evaluateFilterCheck(0, config, output([flow]), env).status).toBe('pass');
  });

  it('skips a check whose own requires we do not meet, and runs one we do', () => {
    const lua = filter('requires:\n  features:\n    - HAVE_LUA\ncount: 9\nmatch:\n  event_type: alert\n');
    expect(evaluateFilterCheck(0, lua, output(), env)).toEqual({
      index: 0,
      type: 'filter',
      status: 'skip',
      message: 'filter check skipped: requires feature HAVE_LUA',
    });
    const ja3 = filter('requires:\n  features: [HAVE_JA3]\n  min-version: 8\ncount: 2\nmatch:\n  event_type: alert\n');
    expect(evaluateFilterCheck(0, ja3, output(), env).status).toBe('pass');
    const newer = filter('requires:\n  min-version: 8.0.7\ncount: 2\nmatch:\n  event_type: alert\n');
    expect(evaluateFilterCheck(0, newer, output(), env).message).toBe('filter check skipped: requires at least version 8.0.7');
  });

  it('reads another file when filename says so, and fails when it was not written', () => {
    const config = filter('filename: alert-debug.json\ncount: 0\nmatch:\n  event_type: alert\n');
    expect(evaluateFilterCheck(0, config, output(), env)).toEqual({ index: 0, type: 'filter', status: 'fail', message: 'alert-debug.json does not exist' });
    const withFile = checkOutputOf([], { 'alert-debug.json': [] });
    expect(evaluateFilterCheck(0, config, withFile, env).status).toBe('pass');
  });

  it('fails on malformed checks the way suricata-verify does', () => {
    expect(evaluateFilterCheck(0, { match: {} }, output(), env).message).toBe('filter check missing count');
    expect(evaluateFilterCheck(0, { count: 1 }, output(), env).message).toBe('filter check missing match');
    expect(evaluateFilterCheck(0, { count: 1, match: {}, mtach: {} }, output(), env).message).toBe('Unexpected key in filter check: mtach');
    expect(evaluateFilterCheck(0, { count: 1, match: {}, requires: { colour: 'red' } }, output(), env).message).toBe('unknown requires type: colour');
  });

  it('fails when eve.json did not parse', () => {
    const broken: CheckOutput = { jsonFiles: new Map([['eve.json', parseJsonLines(['{"event_type":"dns"}', '{oops'])]]) };
    const message = evaluateFilterCheck(0, { count: 1, match: { event_type: 'dns' } }, broken, env).message;
    expect(message.startsWith('filter check failed for eve.json: line 2 is not JSON: ')).toBe(true);
  });
});

describe('evaluateStatsCheck', () => {
  it('looks in the last stats record', () => {
    expect(evaluateStatsCheck(0, { 'decoder.pkts': 13, 'decoder.ipv4.__gte': 10 }, output())).toEqual({
      index: 0,
      type: 'stats',
      status: 'pass',
      message: '2 stats value(s) as expected',
    });
  });

  it('lists each value that differs', () => {
    expect(evaluateStatsCheck(0, { 'decoder.pkts': 5, 'decoder.ipv6': 0, 'decoder.ipv4.__lt': 10 }, output())).toEqual({
      index: 0,
      type: 'stats',
      status: 'fail',
      message: 'stats.decoder.pkts: expected 5; got 13\nstats.decoder.ipv6: expected 0; got None\nstats.decoder.ipv4.__lt: expected < 10; got 13',
    });
  });

  it('fails without a stats record', () => {
    expect(evaluateStatsCheck(0, { 'decoder.pkts': 1 }, output([alert])).message).toBe('no stats event found in eve.json');
  });
});

describe('evaluateCheckEntry', () => {
  it('never runs a shell check: skips it with the command', () => {
    const entry = filter('shell:\n  args: cat fast.log | wc -l | xargs\n  expect: 1\n');
    expect(evaluateCheckEntry(3, entry, output(), env)).toEqual([
      { index: 3, type: 'shell', status: 'skip', message: 'shell check not run (test folders never run commands here): cat fast.log | wc -l | xargs' },
    ]);
  });

  it('fails an unknown check type', () => {
    expect(evaluateCheckEntry(0, { lua: {} }, output(), env)).toEqual([{ index: 0, type: 'lua', status: 'fail', message: 'Unknown check type: lua' }]);
  });

  it('dispatches filter and stats', () => {
    const results = evaluateCheckEntry(0, { filter: { count: 1, match: { event_type: 'dns' } }, stats: { uptime: 2 } }, output(), env);
    expect(results.map((result) => [result.type, result.status])).toEqual([
      ['filter', 'pass'],
      ['stats', 'pass'],
    ]);
  });
});

describe('describeMatch', () => {
  it('prints values the way the test.yaml reads', () => {
    expect(describeMatch({ event_type: 'flow', vlan: [1, 10], 'flow.alerted': false, 'has-key': 'tcp' })).toBe(
      "{event_type: flow, vlan: [1, 10], flow.alerted: False, has-key: tcp}",
    );
  });
});
