/**
 * The rule language: each supported keyword parses into the compiled rule; unsupported ones skip
 * the rule with a stable reason; broken lines are listed as file:line:reason and the rest loads.
 */
import { describe, expect, it } from 'vitest';
import { formatRuleLoadStats, loadRulesText } from './index.ts';
import { AddressGroup, PortGroup } from './ruleAddress.ts';
import type { ContentOp, Rule } from './ruleModel.ts';
import { parseContentBytes, parseNumberTest, parseRule, splitOptions } from './ruleParser.ts';
import { catastrophicReason, compilePcre } from './rulePcre.ts';
import { RuleSkip } from './ruleSkip.ts';
import { parseThresholdConfig } from './thresholdConfig.ts';
import { parseClassifications } from './classification.ts';

const VARS = { HOME_NET: '[10.0.0.0/8,192.168.0.0/16]', EXTERNAL_NET: '!$HOME_NET', HTTP_PORTS: '[80,8080]' };

function rule(text: string): Rule {
  return parseRule(text, 0, { vars: VARS, file: 't.rules', line: 1 });
}

function skipReason(text: string): string {
  try {
    rule(text);
  } catch (e) {
    if (e instanceof RuleSkip) return e.reason;
    throw e;
  }
  return 'loaded';
}

const ip = (t: string): Uint8Array => Uint8Array.from(t.split('.').map(Number));

describe('header', () => {
  it('reads actions, protocols, address groups with negation and variables, ports and direction', () => {
    const r = rule('alert http $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:"x"; sid:1;)');
    expect(r.action).toBe('alert');
    expect(r.proto).toBe('http');
    expect(r.src.match(ip('8.8.8.8'))).toBe(true);
    expect(r.src.match(ip('10.1.2.3'))).toBe(false);
    expect(r.dst.match(ip('192.168.5.5'))).toBe(true);
    expect(r.dstPorts.match(8080)).toBe(true);
    expect(r.dstPorts.match(81)).toBe(false);
    expect(r.bidirectional).toBe(false);
    expect(rule('pass tcp any any <> any any (sid:2;)').bidirectional).toBe(true);
  });

  it('reads CIDRs, ranges, nested groups and port ranges', () => {
    const g = AddressGroup.parse('[10.0.0.0/8,![10.1.0.0/16,10.2.0.1],192.168.1.10-192.168.1.20,2001:db8::/32]', {});
    expect(g.match(ip('10.9.9.9'))).toBe(true);
    expect(g.match(ip('10.1.2.3'))).toBe(false);
    expect(g.match(ip('10.2.0.1'))).toBe(false);
    expect(g.match(ip('192.168.1.15'))).toBe(true);
    expect(g.match(ip('192.168.1.21'))).toBe(false);
    expect(g.match(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(12).fill(1)]))).toBe(true);
    const p = PortGroup.parse('[1:1024,!80,8000:]', {});
    expect([p.match(22), p.match(80), p.match(5000), p.match(9000)]).toEqual([true, false, false, true]);
  });

  it('skips unknown protocols, undefined variables and bad headers with their reason', () => {
    expect(skipReason('alert smb any any -> any any (sid:1;)')).toBe('unsupported protocol smb');
    expect(skipReason('alert tcp $NOPE any -> any any (sid:1;)')).toBe('undefined variable $NOPE');
    expect(skipReason('alert tcp any any any any (sid:1;)')).toBe('syntax');
    expect(skipReason('alert tcp any any -> any any (msg:"no sid";)')).toBe('missing sid');
  });
});

describe('options', () => {
  it('splits options at unquoted, unescaped semicolons', () => {
    expect(splitOptions('msg:"a;b"; content:"x\\;y"; sid:1;')).toEqual(['msg:"a;b"', 'content:"x\\;y"', 'sid:1']);
  });

  it('reads content with hex, escapes and every positional modifier', () => {
    expect([...parseContentBytes('A|42 43|\\"d')]).toEqual([0x41, 0x42, 0x43, 0x22, 0x64]);
    const r = rule('alert tcp any any -> any any (content:"abc"; nocase; offset:2; depth:10; content:!"zz"; distance:1; within:5; content:"end"; endswith; fast_pattern; sid:3; rev:2; gid:1;)');
    const ops = r.inspections[0]!.ops as ContentOp[];
    expect(ops.map((o) => [o.nocase, o.offset, o.depth, o.negated, o.distance, o.within, o.endswith, o.fastPattern])).toEqual([
      [true, 2, 10, false, undefined, undefined, false, false],
      [false, undefined, undefined, true, 1, 5, false, false],
      [false, undefined, undefined, false, undefined, undefined, true, true],
    ]);
    expect(r.fastPattern?.op).toBe(ops[2]);
    expect([r.sid, r.rev, r.gid]).toEqual([3, 2, 1]);
  });

  it('puts sticky buffers and legacy modifiers in their buffers, in order', () => {
    const r = rule('alert http any any -> any any (flow:established,to_server; http.method; content:"POST"; http.uri; content:"/a"; startswith; uricontent:"/b"; sid:4;)');
    expect(r.inspections.map((i) => [i.buffer, i.ops.length])).toEqual([
      ['http.method', 1],
      ['http.uri', 2],
    ]);
    expect(skipReason('alert http any any -> any any (http.uri; content:"x"; http_header; sid:4;)')).toBe('content in two buffers');
    expect(r.unit).toBe('http');
    expect(r.flow).toMatchObject({ established: true, toServer: true });
    const legacy = rule('alert tcp any any -> any any (content:"GET"; http_method; content:"/x"; http_raw_uri; sid:5;)');
    expect(legacy.inspections.map((i) => i.buffer)).toEqual(['http.method', 'http.uri.raw']);
    expect(rule('alert dns any any -> any any (dns_query; content:"q"; sid:6;)').inspections[0]!.buffer).toBe('dns.query');
    expect(skipReason('alert tcp any any -> any any (http.uri; content:"a"; dns.query; content:"b"; sid:7;)')).toBe('buffers of two protocols');
  });

  it('reads metadata, classtype, priority, target, reference', () => {
    const r = rule('alert tcp any any -> any any (msg:"m \\"q\\""; reference:url,x.example; classtype:trojan-activity; priority:2; target:dest_ip; metadata:former_category MALWARE, signature_severity Major, tag A, tag B; sid:6;)');
    expect(r.msg).toBe('m "q"');
    expect(r.classtype).toBe('trojan-activity');
    expect(r.priority).toBe(2);
    expect(r.target).toBe('dest_ip');
    expect(r.metadata).toEqual({ former_category: ['MALWARE'], signature_severity: ['Major'], tag: ['A', 'B'] });
  });

  it('reads byte_test, byte_jump, byte_extract, isdataat, dsize, itype, icode, ttl, ip_proto, flags', () => {
    const r = rule('alert tcp any any -> any any (content:"A"; byte_extract:2,0,len,relative; byte_test:2,>,len,0,relative,little; byte_jump:1,1,relative,multiplier 2,post_offset -1; isdataat:!10,relative; dsize:>5; ttl:<64; flags:SA,12; sid:7;)');
    expect(r.inspections[0]!.ops.map((o) => o.kind)).toEqual(['content', 'byte_extract', 'byte_test', 'byte_jump', 'isdataat']);
    expect(r.packetChecks).toEqual([
      { kind: 'dsize', test: { op: '>', a: 5, b: 0 } },
      { kind: 'ttl', test: { op: '<', a: 64, b: 0 } },
      { kind: 'flags', mode: 'exact', flags: 0x12, ignore: 0xc0 },
    ]);
    const icmpRule = rule('alert icmp any any -> any any (itype:8; icode:0; ip_proto:1; sid:8;)');
    expect(icmpRule.packetChecks.map((c) => c.kind)).toEqual(['itype', 'icode', 'ip_proto']);
    expect(parseNumberTest('10<>20', 'dsize')).toEqual({ op: '<>', a: 10, b: 20 });
    expect(parseNumberTest('!9', 'dsize')).toEqual({ op: '!=', a: 9, b: 0 });
  });

  it('reads flowbits, threshold, detection_filter, noalert, app-layer-protocol, tls.version, ssl_version', () => {
    const r = rule('alert tls any any -> any any (flowbits:isset,a|b; flowbits:set,c; flowbits:noalert; threshold:type limit, track by_src, count 1, seconds 60; detection_filter:track by_dst, count 5, seconds 10; app-layer-protocol:tls; ssl_version:!tls1.3,tls1.2; sid:9;)');
    expect(r.flowbits).toEqual([
      { cmd: 'isset', names: ['a', 'b'], any: true },
      { cmd: 'set', names: ['c'], any: false },
    ]);
    expect(r.noalert).toBe(true);
    expect(r.threshold).toEqual({ type: 'limit', track: 'by_src', count: 1, seconds: 60 });
    expect(r.detectionFilter).toEqual({ type: 'detection_filter', track: 'by_dst', count: 5, seconds: 10 });
    expect(r.appLayerProtocol).toEqual({ name: 'tls', negated: false });
    expect(r.sslVersions).toEqual({ names: ['tls1.3', 'tls1.2'], negated: true });
    expect(rule('alert tls any any -> any any (tls.version:1.0; sid:10;)').tlsVersions).toEqual({ versions: [0x0301], negated: false });
  });

  it('reads filemd5 lists beside the rule file', () => {
    const md5 = '44d88612fea8a8f36de82e1278abb02f';
    const load = loadRulesText('alert http any any -> any any (filemd5:bad.md5; sid:11;)', 't.rules', { listFiles: { 'bad.md5': `${md5}\nnot-a-hash\n` } });
    expect(load.engine.rules[0]!.fileHashes).toEqual({ algorithm: 'md5', hashes: new Set([md5]) });
    expect(loadRulesText('alert http any any -> any any (filemd5:missing.md5; sid:12;)').stats.skipReasons).toEqual([{ reason: 'filemd5: list not found', count: 1 }]);
  });

  it('skips unsupported keywords with the keyword in the reason', () => {
    expect(skipReason('alert tcp any any -> any any (xbits:set,a,track ip_src; sid:1;)')).toBe('unsupported keyword xbits');
    expect(skipReason('alert tcp any any -> any any (stream_size:server,>,10; sid:1;)')).toBe('unsupported keyword stream_size');
    expect(skipReason('alert tcp any any -> any any (content:"|4|"; sid:1;)')).toBe('content: bad hex');
    expect(skipReason('alert tcp any any -> any any (nocase; sid:1;)')).toBe('nocase without content');
  });
});

describe('pcre', () => {
  it('maps flags, buffer modifiers and relative', () => {
    const { op, buffer } = compilePcre('"/^get\\s+\\/x/Ui"');
    expect(buffer).toBe('http.uri');
    expect(op.regex.flags).toBe('gi');
    expect(op.relative).toBe(false);
    expect(compilePcre('"/a.b/smR"').op).toMatchObject({ relative: true });
    expect(compilePcre('"/a b # c\n/x"').op.regex.source).toBe('ab');
  });

  it('refuses patterns that can backtrack without bound', () => {
    expect(catastrophicReason('(a+)+$')).toBe('nested unbounded quantifiers');
    expect(catastrophicReason('(?:\\w*\\s)*x')).toBe('nested unbounded quantifiers');
    expect(catastrophicReason('(a|a)*b')).toBe('overlapping alternation under a quantifier');
    expect(catastrophicReason('^GET\\s+/[a-z]{1,8}\\.php\\?id=\\d+')).toBeUndefined();
    expect(skipReason('alert tcp any any -> any any (pcre:"/(a+)+$/"; sid:1;)')).toBe('pcre: nested unbounded quantifiers');
    expect(skipReason('alert tcp any any -> any any (pcre:"/(?>a)b/"; sid:1;)')).toBe('pcre: unsupported syntax');
  });
});

describe('configuration files', () => {
  it('reads classification.config', () => {
    const { classes, errors } = parseClassifications('# c\nconfig classification: trojan-activity,A Network Trojan was detected,1\nbroken line\n');
    expect(classes.get('trojan-activity')).toEqual({ name: 'trojan-activity', description: 'A Network Trojan was detected', priority: 1 });
    expect(errors).toEqual([{ line: 3, reason: 'expected "config classification: name,description,priority"' }]);
  });

  it('reads threshold.config suppress and threshold lines, listing bad ones', () => {
    const cfg = parseThresholdConfig('suppress gen_id 1, sig_id 2\nsuppress gen_id 1, sig_id 3, track by_src, ip 10.0.0.0/8\nthreshold gen_id 1, sig_id 4, type limit, track by_dst, count 2, seconds 30\nrate_filter gen_id 1, sig_id 5, track by_rule, count 1, seconds 1, new_action drop, timeout 10\nsuppress sig_id x\n');
    expect(cfg.suppressions.map((s) => [s.sid, s.track])).toEqual([
      [2, undefined],
      [3, 'by_src'],
    ]);
    expect(cfg.thresholds).toEqual([{ gid: 1, sid: 4, spec: { type: 'limit', track: 'by_dst', count: 2, seconds: 30 } }]);
    expect(cfg.errors).toEqual([{ line: 5, reason: 'gen_id and sig_id must be numbers' }]);
  });
});

describe('loading', () => {
  it('counts active, commented and skipped rules, lists broken lines with file:line:reason', () => {
    const text = [
      '# a comment',
      '# alert tcp any any -> any any (msg:"commented"; sid:1;)',
      'alert tcp any any -> any any (msg:"ok"; content:"abc"; sid:2;)',
      'alert tcp any any -> any any (msg:"continued"; \\',
      '  content:"def"; sid:3;)',
      'alert tcp any any -> any any (msg:"dup"; sid:2;)',
      'alert tcp any any -> any any (msg:"unsupported"; xbits:isset,a,track ip_src; sid:4;)',
      'alert tcp any any any',
      'alert tcp any any -> any any (msg:"bad hex"; content:"|zz|"; sid:5;)',
    ].join('\n');
    const { stats, engine } = loadRulesText(text, 'local.rules');
    expect({ total: stats.total, active: stats.active, loaded: stats.loaded, skipped: stats.skipped }).toEqual({ total: 7, active: 6, loaded: 2, skipped: 4 });
    expect(engine.rules.map((r) => r.sid)).toEqual([2, 3]);
    expect(stats.skipReasons).toEqual([
      { reason: 'content: bad hex', count: 1 },
      { reason: 'duplicate sid', count: 1 },
      { reason: 'syntax', count: 1 },
      { reason: 'unsupported keyword xbits', count: 1 },
    ]);
    expect(stats.errors).toEqual([
      { file: 'local.rules', line: 6, reason: 'duplicate sid 2 (gid 1): the later rule is skipped' },
      { file: 'local.rules', line: 8, reason: 'expected "action proto src sport -> dst dport (options;)"' },
      { file: 'local.rules', line: 9, reason: '"z" is not a hex digit in "|zz|"' },
    ]);
    const printed = formatRuleLoadStats(stats);
    expect(printed).toContain('読込 / loaded: 2 (33.3% of active)');
    expect(printed).toContain('local.rules:8: expected');
  });
});
