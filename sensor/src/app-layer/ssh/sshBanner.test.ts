import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeedResult } from '../appLayer.ts';
import { FUZZ_RUNS, mustHold, mutatedInput, splitAt, splitPoints } from '../mutatedInput.ts';
import type { SshBannerRecord } from './sshBanner.ts';
import { parseSshBanner, SSH_MAX_BANNER_LEN, SshFlowParser } from './sshBanner.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const SERVER = enc('Welcome to host\r\nSSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n\x00\x00\x04\x3c\x06\x14');
const CLIENT = enc('SSH-2.0-PuTTY_Release_0.78\r\n');

function run(p: SshFlowParser, dir: 'toServer' | 'toClient', parts: Uint8Array[]): FeedResult<SshBannerRecord> {
  const out: FeedResult<SshBannerRecord> = { records: [], anomalies: [] };
  for (const part of parts) {
    const r = p.feed(dir, part);
    out.records.push(...r.records);
    out.anomalies.push(...r.anomalies);
  }
  return out;
}

describe('SSH banners', () => {
  it('splits proto and software version and keeps comments apart', () => {
    expect(parseSshBanner(enc('SSH-2.0-OpenSSH_8.9p1 Ubuntu'))).toEqual({
      status: 'ok', consumed: 28, value: { proto_version: '2.0', software_version: 'OpenSSH_8.9p1', comments: 'Ubuntu' },
    });
    expect(parseSshBanner(enc('SSH-1.99-Cisco-1.25')).status === 'ok').toBe(true);
    expect(parseSshBanner(enc('SSH-2.0-'))).toEqual({ status: 'error', anomaly: 'ssh.invalid_banner' });
    expect(parseSshBanner(enc('HTTP/1.1 200 OK'))).toEqual({ status: 'error', anomaly: 'ssh.invalid_banner' });
  });

  it('builds the EVE ssh object, whatever byte boundary splits the streams', () => {
    const p = new SshFlowParser();
    run(p, 'toServer', [CLIENT]);
    run(p, 'toClient', [SERVER]);
    expect(p.eve()).toEqual({
      client: { proto_version: '2.0', software_version: 'PuTTY_Release_0.78' },
      server: { proto_version: '2.0', software_version: 'OpenSSH_8.9p1' },
    });
    const whole = run(new SshFlowParser(), 'toClient', [SERVER]);
    for (let i = 0; i <= SERVER.length; i++) expect(run(new SshFlowParser(), 'toClient', [SERVER.slice(0, i), SERVER.slice(i)])).toEqual(whole);
  });

  it('caps an over-long banner and rejects client junk', () => {
    const long = enc(`SSH-2.0-${'A'.repeat(1000)}`);
    const r = run(new SshFlowParser(), 'toClient', [long]);
    expect(r.anomalies).toEqual([{ name: 'ssh.long_banner', direction: 'toClient' }]);
    expect(r.records[0]?.banner.software_version.length).toBe(SSH_MAX_BANNER_LEN - 8);
    expect(run(new SshFlowParser(), 'toServer', [enc('GET / HTTP/1.1\r\n')]).anomalies).toEqual([{ name: 'ssh.invalid_banner', direction: 'toServer' }]);
  });

  it('fuzz: never throws, bounded output', () => {
    fc.assert(
      fc.property(mutatedInput([SERVER, CLIENT]), fc.boolean(), splitPoints, (input, toServer, cuts) => {
        const r = run(new SshFlowParser(), toServer ? 'toServer' : 'toClient', splitAt(input, cuts));
        mustHold(r.records.length <= 1, 'one banner per direction');
        for (const rec of r.records) mustHold(rec.banner.software_version.length <= SSH_MAX_BANNER_LEN, 'banner capped');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
