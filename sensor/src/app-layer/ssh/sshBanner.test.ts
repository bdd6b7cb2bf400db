import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeedResult } from '../appLayer.ts';
import { FUZZ_RUNS, mustHold, mutatedInput, splitAt, splitPoints } from '../mutatedInput.ts';
import type { SshRecord } from './sshBanner.ts';
import { parseSshBanner, SSH_MAX_BANNER_LEN, SshFlowParser } from './sshBanner.ts';

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const u32 = (v: number): Uint8Array => Uint8Array.from([v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
const cat = (...p: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(p));
const nameList = (s: string): Uint8Array => cat(u32(s.length), enc(s));

const KEX = 'curve25519-sha256,ecdh-sha2-nistp256';
const ENC_CS = 'chacha20-poly1305@openssh.com,aes128-ctr';
const ENC_SC = 'aes128-ctr';
const MAC_CS = 'hmac-sha2-256';
const MAC_SC = 'hmac-sha2-512';

/** An SSH_MSG_KEXINIT binary packet with 4..255 bytes of padding as RFC 4253 6 asks. */
function kexinitPacket(): Uint8Array {
  const payload = cat(
    Uint8Array.from([20]), new Uint8Array(16).fill(0xab),
    nameList(KEX), nameList('ssh-ed25519'), nameList(ENC_CS), nameList(ENC_SC), nameList(MAC_CS), nameList(MAC_SC),
    nameList('none'), nameList('none,zlib@openssh.com'), nameList(''), nameList(''), Uint8Array.from([0]), u32(0),
  );
  let pad = 8 - ((payload.length + 5) % 8);
  if (pad < 4) pad += 8;
  return cat(u32(payload.length + pad + 1), Uint8Array.from([pad]), payload, new Uint8Array(pad));
}

const SERVER = cat(enc('Welcome to host\r\nSSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n'), kexinitPacket(), enc('\x00\x00\x00\x0c more'));
const CLIENT = cat(enc('SSH-2.0-PuTTY_Release_0.78\r\n'), kexinitPacket());
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function run(p: SshFlowParser, dir: 'toServer' | 'toClient', parts: Uint8Array[]): FeedResult<SshRecord> {
  const out: FeedResult<SshRecord> = { records: [], anomalies: [] };
  for (const part of parts) {
    const r = p.feed(dir, part);
    out.records.push(...r.records);
    out.anomalies.push(...r.anomalies);
  }
  return out;
}

describe('SSH banners and KEXINIT', () => {
  it('splits proto and software version and keeps comments apart', () => {
    expect(parseSshBanner(enc('SSH-2.0-OpenSSH_8.9p1 Ubuntu'))).toEqual({
      status: 'ok', consumed: 28, value: { proto_version: '2.0', software_version: 'OpenSSH_8.9p1', comments: 'Ubuntu' },
    });
    expect(parseSshBanner(enc('SSH-1.99-Cisco-1.25')).status === 'ok').toBe(true);
    expect(parseSshBanner(enc('SSH-2.0-'))).toEqual({ status: 'error', anomaly: 'ssh.invalid_banner' });
    expect(parseSshBanner(enc('HTTP/1.1 200 OK'))).toEqual({ status: 'error', anomaly: 'ssh.invalid_banner' });
  });

  it('builds the EVE ssh object with HASSH and HASSHServer', () => {
    const p = new SshFlowParser();
    expect(run(p, 'toServer', [CLIENT]).anomalies).toEqual([]);
    expect(run(p, 'toClient', [SERVER]).anomalies).toEqual([]);
    const clientString = `${KEX};${ENC_CS};${MAC_CS};none`;
    const serverString = `${KEX};${ENC_SC};${MAC_SC};none,zlib@openssh.com`;
    expect(p.eve()).toEqual({
      client: { proto_version: '2.0', software_version: 'PuTTY_Release_0.78', hassh: { string: clientString, hash: md5(clientString) } },
      server: { proto_version: '2.0', software_version: 'OpenSSH_8.9p1', hassh: { string: serverString, hash: md5(serverString) } },
    });
  });

  it('gives identical results whatever byte boundary splits the stream', () => {
    const whole = run(new SshFlowParser(), 'toClient', [SERVER]);
    expect(whole.records.map((r) => r.type)).toEqual(['banner', 'kexinit']);
    for (let i = 0; i <= SERVER.length; i++) expect(run(new SshFlowParser(), 'toClient', [SERVER.slice(0, i), SERVER.slice(i)])).toEqual(whole);
  });

  it('caps an over-long banner, rejects client junk and absurd packet lengths', () => {
    const long = enc(`SSH-2.0-${'A'.repeat(1000)}`);
    const r = run(new SshFlowParser(), 'toClient', [long]);
    expect(r.anomalies).toEqual([{ name: 'ssh.long_banner', direction: 'toClient' }]);
    const first = r.records[0];
    expect(first?.type === 'banner' && first.banner.software_version.length).toBe(SSH_MAX_BANNER_LEN - 8);
    expect(run(new SshFlowParser(), 'toServer', [enc('GET / HTTP/1.1\r\n')]).anomalies).toEqual([{ name: 'ssh.invalid_banner', direction: 'toServer' }]);
    expect(run(new SshFlowParser(), 'toServer', [enc('SSH-2.0-x\r\n\xff\xff\xff\xff\x04')]).anomalies).toEqual([{ name: 'ssh.long_kex_record', direction: 'toServer' }]);
  });

  it('fuzz: never throws, bounded output', () => {
    fc.assert(
      fc.property(mutatedInput([SERVER, CLIENT]), fc.boolean(), splitPoints, (input, toServer, cuts) => {
        const r = run(new SshFlowParser(), toServer ? 'toServer' : 'toClient', splitAt(input, cuts));
        mustHold(r.records.length <= 2, 'one banner and one KEXINIT per direction');
        for (const rec of r.records) if (rec.type === 'banner') mustHold(rec.banner.software_version.length <= SSH_MAX_BANNER_LEN, 'banner capped');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
