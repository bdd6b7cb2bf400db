/**
 * `dataset:` and `datarep:`: option parsing, file formats per type (base64 strings, hex digests,
 * addresses, `value,reputation`), one set shared by the rules of a load, set/unset/isset/isnotset
 * and reputation comparisons through the engine, and the rules refused with a reason.
 */
import { describe, expect, it } from 'vitest';
import { runCapture } from '../../pipeline/runCapture.ts';
import { ethernet, ipv4, udp, writePcap } from '../../testing/pcapWriter.ts';
import { HomeNet } from '../homeNet.ts';
import { loadRulesText } from './index.ts';
import { Dataset, datasetMatches, DatasetRegistry, keyFromBuffer, keyFromText, loadDatasetText, parseDatarep, parseDataset } from './ruleDatasets.ts';

const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('dataset values', () => {
  it('reads each type as Suricata writes its files', () => {
    expect(keyFromText('string', b64('example.com'))).toBe('example.com');
    expect(keyFromText('string', 'not base64!')).toBeUndefined();
    expect(keyFromText('md5', 'D41D8CD98F00B204E9800998ECF8427E')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(keyFromText('sha256', 'ab')).toBeUndefined();
    expect(keyFromText('ipv4', '192.0.2.1')).toBe(String.fromCharCode(192, 0, 2, 1));
    expect(keyFromText('ipv4', '2001:db8::1')).toBeUndefined();
    expect(keyFromText('ip', '::ffff:192.0.2.1')).toBe(keyFromText('ip', '192.0.2.1'));
    expect(keyFromText('ip', '2001:db8::1')!.length).toBe(16);
  });

  it('reads buffers: digests from their raw bytes, addresses from 4 or 16 bytes', () => {
    expect(keyFromBuffer('md5', new Uint8Array(16).fill(0xab))).toBe('ab'.repeat(16));
    expect(keyFromBuffer('md5', new Uint8Array(15))).toBeUndefined();
    expect(keyFromBuffer('ipv4', Uint8Array.from([192, 0, 2, 1]))).toBe(keyFromText('ipv4', '192.0.2.1'));
    expect(keyFromBuffer('ip', Uint8Array.from([...new Array<number>(10).fill(0), 0xff, 0xff, 192, 0, 2, 1]))).toBe(keyFromText('ip', '192.0.2.1'));
  });

  it('loads files, stopping at a bad line', () => {
    const set = new Dataset('rep', 'string');
    loadDatasetText(set, `# comment\n${b64('a.example')},10\n\n${b64('b.example')},200\n`, true, 'rep.txt');
    expect([...set.values]).toEqual([['a.example', 10], ['b.example', 200]]);
    expect(() => loadDatasetText(new Dataset('x', 'md5'), 'zz\n', false, 'x.txt')).toThrow(/x.txt line 1/);
    expect(() => loadDatasetText(new Dataset('x', 'string'), `${b64('a')}\n`, true, 'x.txt')).toThrow(/value,reputation/);
  });
});

describe('dataset and datarep options', () => {
  const ctx = (files: Record<string, string> = {}): { datasets: DatasetRegistry; readFile: (n: string) => string | undefined } => ({
    datasets: new DatasetRegistry(),
    readFile: (name) => files[name],
  });

  it('set / isset / isnotset / unset on one shared set', () => {
    const c = ctx();
    const set = parseDataset('set,seen, type string', c);
    const isset = parseDataset('isset,seen', c);
    const isnotset = parseDataset('isnotset,seen', c);
    const unset = parseDataset('unset,seen', c);
    const v = bytes('example.com');
    expect(datasetMatches(isnotset, v)).toBe(true);
    expect(datasetMatches(set, v)).toBe(true); // added: matches
    expect(datasetMatches(set, v)).toBe(false); // already there
    expect(datasetMatches(isset, v)).toBe(true);
    expect(datasetMatches(unset, v)).toBe(true);
    expect(datasetMatches(isset, v)).toBe(false);
  });

  it('loads a file relative to the rule file once, and refuses what Suricata refuses', () => {
    const c = ctx({ 'bad.lst': `${b64('evil.example')}\n` });
    const op = parseDataset('isset,bad, type string, load bad.lst, memcap 10mb, hashsize 1024', c);
    expect(datasetMatches(op, bytes('evil.example'))).toBe(true);
    expect(() => parseDataset('isset,other, type string, load missing.lst', c)).toThrow(/cannot read "missing.lst"/);
    expect(() => parseDataset('isset,nosuch', c)).toThrow(/needs a type/);
    expect(() => parseDataset('isset,bad, type md5', c)).toThrow(/type string, not md5/);
    expect(() => parseDataset('frob,bad', c)).toThrow(/command/);
    expect(() => parseDataset('isset,bad, format json', c)).toThrow(/option "format"/);
    // `state` files are optional: read when present.
    expect(() => parseDataset('set,fresh, type string, state fresh.lst', c)).not.toThrow();
  });

  it('datarep compares the reputation of a listed value', () => {
    const c = ctx({ 'rep.txt': `${b64('google.com')},255\n${b64('ok.example')},5\n` });
    const gt = parseDatarep('dns_string, >, 200, load rep.txt, type string', c);
    const eq = parseDatarep('dns_string, ==, 5', c);
    expect(datasetMatches(gt, bytes('google.com'))).toBe(true);
    expect(datasetMatches(gt, bytes('ok.example'))).toBe(false);
    expect(datasetMatches(eq, bytes('ok.example'))).toBe(true);
    expect(datasetMatches(gt, bytes('unlisted.example'))).toBe(false);
    expect(() => parseDatarep('dns_string, ~, 5', c)).toThrow(/operator/);
    expect(() => parseDatarep('dns_string, >, x', c)).toThrow(/value/);
  });
});

function dnsQuery(id: number, name: string): Uint8Array {
  const qname = [...name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]), 0];
  return Uint8Array.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...qname, 0, 1, 0, 1]);
}

async function dnsAlerts(rules: string, names: readonly string[], listFiles: Record<string, string> = {}): Promise<number[]> {
  const load = loadRulesText(rules, 'test.rules', { listFiles });
  expect(load.stats.errors).toEqual([]);
  expect(load.stats.skipped).toBe(0);
  const frames = names.map((name, i) =>
    ethernet({ etherType: 0x0800 }, ipv4({ src: '192.168.1.10', dst: '192.168.1.1', proto: 17 }, udp({ srcPort: 40000 + i, dstPort: 53 }, dnsQuery(i + 1, name)))));
  const sids: number[] = [];
  await runCapture([writePcap(frames.map((data, i) => ({ data, tsSec: 1_700_000_000 + i, tsNsec: 0 })))], (r) => {
    if (r.event_type === 'alert') sids.push((r as unknown as { alert: { signature_id: number } }).alert.signature_id);
  }, { detection: { stages: [load.engine], homeNet: HomeNet.parse('[192.168.0.0/16]') } });
  return sids;
}

describe('datasets in the engine', () => {
  it('alerts on the first sight of each name only (dataset:set)', async () => {
    const sids = await dnsAlerts('alert dns any any -> any any (dns.query; dataset:set,names, type string; sid:1;)', ['a.example', 'b.example', 'a.example']);
    expect(sids).toEqual([1, 1]);
  });

  it('matches listed names (isset with load) and reputation above a bar (datarep)', async () => {
    const rules = [
      'alert dns any any -> any any (dns.query; dataset:isset,bad, type string, load bad.lst; sid:1;)',
      'alert dns any any -> any any (dns.query; datarep:rep, >=, 100, load rep.lst, type string; sid:2;)',
    ].join('\n');
    const files = { 'bad.lst': `${b64('evil.example')}\n`, 'rep.lst': `${b64('evil.example')},100\n${b64('meh.example')},99\n` };
    expect(await dnsAlerts(rules, ['evil.example', 'meh.example', 'good.example'], files)).toEqual([1, 2]);
  });

  it('refuses a dataset without a sticky buffer', () => {
    const load = loadRulesText('alert dns any any -> any any (dataset:set,names, type string; sid:1;)');
    expect(load.stats.skipReasons).toEqual([{ reason: 'dataset without sticky buffer', count: 1 }]);
  });
});
