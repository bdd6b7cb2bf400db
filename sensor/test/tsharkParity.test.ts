/**
 * Known values, independently computed: for real captures, the DNS query names and HTTP hosts in
 * our EVE output must be exactly the ones tshark (Wireshark's dissectors) reports for the same file.
 * Needs ../shared/data and tshark; skips loudly without them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCaptureFile } from '../src/pipeline/runCapture.ts';
import type { EveRecord } from '../src/eve/eveEvent.ts';

const data = fileURLToPath(new URL('../../../shared/data/pcaps/', import.meta.url));
const hasTshark = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const ready = existsSync(data) && hasTshark;
if (!ready) console.warn(`\n!!! SKIPPING tshark parity tests: ${existsSync(data) ? 'tshark is not installed (apt-get install tshark)' : `no test data at ${data}`}\n`);

const captures = [
  'ntop__nDPI/tests/cfgs/default/pcap/dns.pcap',
  'ntop__nDPI/tests/cfgs/default/pcap/emotet.pcap',
  'ntop__nDPI/tests/cfgs/default/pcap/trickbot.pcap',
  'ntop__nDPI/tests/cfgs/default/pcap/WebattackSQLinj.pcap',
  'ntop__nDPI/tests/cfgs/default/pcap/dns-tunnel-iodine.pcap',
  'chrissanders__packets/dns_tcp.pcapng',
  'chrissanders__packets/http_dvwa_sqlinjection.pcapng',
];

function tsharkField(file: string, filter: string, field: string): string[] {
  const out = execFileSync('tshark', ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a', '-E', 'separator=,', '-e', field], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split('\n').flatMap((line) => line.split(',')).filter((v) => v !== '');
}

describe.skipIf(!ready)('DNS names and HTTP hosts equal what tshark reports', () => {
  for (const capture of captures) {
    it(capture, async () => {
      const file = `${data}${capture}`;
      const records: EveRecord[] = [];
      await runCaptureFile(file, (r) => records.push(r));
      type Logged = { dns: { type: string; queries?: Array<{ rrname: string }> }; http: { hostname?: string } };
      const ours = (type: string) => records.filter((r) => r.event_type === type) as unknown as Logged[];

      const dnsQueries = new Set(
        ours('dns')
          .filter((r) => r.dns.type === 'request')
          .flatMap((r) => (r.dns.queries ?? []).map((q) => q.rrname)),
      );
      const tsharkQueries = new Set(tsharkField(file, 'dns.flags.response == 0', 'dns.qry.name'));
      // Binary labels (DNS tunnels) are written differently: EVE escapes bytes as \xNN like
      // Suricata, tshark shows replacement characters. Those are compared by count only.
      const printable = (name: string) => /^[\x20-\x7e]*$/.test(name) && !name.includes('\\x');
      const split = (names: Set<string>) => [[...names].filter(printable).sort(), [...names].filter((n) => !printable(n)).length] as const;
      expect(split(dnsQueries)).toEqual(split(tsharkQueries));

      // tshark's http.host keeps a ":port"; EVE's hostname is the host alone.
      const httpHosts = new Set(ours('http').map((r) => r.http.hostname).filter(Boolean));
      const tsharkHosts = new Set(tsharkField(file, 'http.request', 'http.host').map((h) => h.replace(/:\d+$/, '').toLowerCase()));
      expect([...httpHosts].sort()).toEqual([...tsharkHosts].sort());
      expect(dnsQueries.size + httpHosts.size).toBeGreaterThan(0);
    });
  }
});
