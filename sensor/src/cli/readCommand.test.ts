/**
 * `otasuke sensor read` as a user runs it: through the real CLI entry point, with files, stdin and
 * stdout, checking exit codes, the EVE it writes, the warning for a truncated capture and the
 * message for something that is not a capture.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ethernet, ipv4, udp, writePcap } from '../testing/pcapWriter.ts';

const bin = fileURLToPath(new URL('../../../cli/bin/otasuke.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'otasuke-read-'));

function otasuke(args: string[], input?: Uint8Array): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'sensor', 'read', ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const query = Uint8Array.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1]);
const capture = writePcap(
  [0, 1, 2].map((i) => ({
    data: ethernet({ etherType: 0x0800 }, ipv4({ src: '10.0.0.2', dst: '10.0.0.1', proto: 17 }, udp({ srcPort: 40000 + i, dstPort: 53 }, query))),
    tsSec: 1_700_000_000 + i,
  })),
);
const pcapPath = join(dir, 'dns.pcap');
writeFileSync(pcapPath, capture);

describe('otasuke sensor read', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a capture file into ./eve.json and sums up on stderr', () => {
    const r = otasuke(['--pcap', pcapPath]);
    expect(r.stderr).toContain('packets: 3');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/events: dns 3, flow 3, stats 1/);
    expect(r.stderr).toMatch(/decode errors: 0 packets/);
    expect(r.stderr).toMatch(/MB\/s/);
    const lines = readFileSync(join(dir, 'eve.json'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { event_type: string }).event_type)).toEqual(['dns', 'dns', 'dns', 'flow', 'flow', 'flow', 'stats']);
  });

  it('reads stdin and writes stdout with the chosen types and community id', () => {
    const r = otasuke(['--pcap', '-', '--eve', '-', '--types', 'dns', '--community-id'], capture);
    expect(r.code).toBe(0);
    const records = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { event_type: string; community_id?: string });
    expect(records.map((x) => x.event_type)).toEqual(['dns', 'dns', 'dns']);
    expect(records[0]?.community_id).toMatch(/^1:/);
  });

  it('processes every complete packet of a truncated capture, warns and exits 0', () => {
    const truncated = join(dir, 'truncated.pcap');
    writeFileSync(truncated, capture.subarray(0, capture.length - 10));
    const r = otasuke(['--pcap', truncated, '--eve', '-', '--types', 'dns']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: the capture is truncated/m);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('refuses something that is not a capture with exit code 2', () => {
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, 'this is not a capture at all\n');
    const r = otasuke(['--pcap', junk, '--eve', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: not a pcap or pcapng file\n');
    expect(r.stdout).toBe('');
  });

  it('turns detection on with a detection flag: load summary on stderr, alerts in the EVE', () => {
    const config = join(dir, 'behaviour.json');
    writeFileSync(config, '{}\n');
    const r = otasuke(['--pcap', pcapPath, '--eve', '-', '--home-net', '[10.0.0.1/32]', '--behaviour-config', config]);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual(['detection: HOME_NET [10.0.0.1/32]', 'behaviour: on']);
    expect(r.stderr).toMatch(/events: dns 3, flow 3, stats 1/);
  });

  const bad = (args: string[]): string => {
    const r = otasuke(['--pcap', pcapPath, '--eve', '-', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    return r.stderr;
  };

  it('refuses a bad HOME_NET or clamd address with exit code 2 and says how to fix it', () => {
    expect(bad(['--home-net', '10.0.0.0/8,bogus'])).toBe(
      'error: --home-net: invalid HOME_NET "10.0.0.0/8,bogus": "bogus" is not an IP address (expected e.g. [192.168.0.0/16,10.0.0.0/8,!10.9.0.0/16])\n',
    );
    expect(bad(['--clamd', 'localhost'])).toBe(
      'error: invalid --clamd "localhost": neither a socket path nor HOST:PORT (expected a socket path such as /run/clamav/clamd.ctl, or HOST:PORT such as 127.0.0.1:3310)\n',
    );
  }, 180_000);

  it('refuses bad detection files and sizes with exit code 2', () => {
    expect(bad(['--clamd', '127.0.0.1:3310', '--file-scan-limit', 'ten'])).toBe('error: --file-scan-limit: "ten" is not a size (e.g. 10485760, 512K, 10M)\n');
    expect(bad(['--file-scan-limit', '10M'])).toBe('error: --file-scan-limit needs --clamd\n');
    expect(bad(['--rules', join(dir, 'none.rules')])).toBe(`error: --rules: ${join(dir, 'none.rules')} does not exist (give a .rules file or a folder of them)\n`);
    expect(bad(['--rules', dir])).toBe(`error: --rules: ${dir} holds no .rules file\n`);
    const notJson = join(dir, 'behaviour.txt');
    writeFileSync(notJson, 'scan: 5\n');
    expect(bad(['--behaviour-config', notJson])).toMatch(/^error: --behaviour-config: .*behaviour\.txt is not JSON: /);
  }, 180_000);

  it('refuses bad flags with exit code 2', () => {
    const r = otasuke(['--pcap', pcapPath, '--types', 'dns,alerts']);
    expect([r.code, r.stderr]).toEqual([2, 'error: unknown event type(s) in --types: alerts\n']);
    expect(otasuke([]).code).toBe(2);
    expect(otasuke(['--pcap', join(dir, 'missing.pcap')]).code).toBe(2);
  });
});
