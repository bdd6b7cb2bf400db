/**
 * Live capture end to end: `otasuke sensor read --interface lo` runs Debian's tcpdump, a DNS query
 * is sent on loopback, SIGINT stops the sensor, and the query is in the EVE output. Needs tcpdump
 * and the right to capture (root, as in CI); skips loudly otherwise.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../cli/bin/otasuke.mjs', import.meta.url));
const canCapture = (() => {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
})();
if (!canCapture) console.warn('\n!!! SKIPPING live capture test: needs tcpdump (apt-get install tcpdump) and root\n');

function dnsQuery(id: number, name: string): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

describe.skipIf(!canCapture)('live capture', () => {
  it('captures a DNS query on loopback and writes it as EVE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otasuke-live-'));
    const eve = join(dir, 'eve.json');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const sensor = spawn(process.execPath, [bin, 'sensor', 'read', '--interface', 'lo', '--bpf', `udp port ${port}`, '--eve', eve], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    sensor.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      // tcpdump says "listening on lo" once the capture is open.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderr}`)), 20_000);
        sensor.stderr.on('data', () => {
          if (stderr.includes('listening on lo')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.send(dnsQuery(0x4f54, 'live.otasuke.example'), port, '127.0.0.1', () => resolve()));
      socket.close();
      await new Promise((r) => setTimeout(r, 1500));
      const exited = new Promise<number | null>((resolve) => sensor.on('exit', (code) => resolve(code)));
      sensor.kill('SIGINT');
      expect(await exited).toBe(0);
      const records = readFileSync(eve, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const dns = records.filter((r) => r.event_type === 'dns');
      expect(dns).toHaveLength(1);
      expect(dns[0].dns.queries).toEqual([{ rrname: 'live.otasuke.example', rrtype: 'A' }]);
      expect(dns[0].dns.id).toBe(0x4f54);
      expect(dns[0].dest_port).toBe(port);
      expect(records.at(-1).event_type).toBe('stats');
    } finally {
      if (sensor.exitCode === null) sensor.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
