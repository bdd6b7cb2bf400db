import { describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR_CONFIG } from './behaviourConfig.ts';
import { appRecord, collector, countPacket, testFlow, testPacket } from './behaviourFixtures.ts';
import { CleartextCredentialDetector, telnetText } from './cleartextCredentialDetector.ts';
import type { Flow } from '../../flow/flow.ts';
import type { FlowDirection } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';

const CLIENT = '192.168.1.30';
const SERVER = '198.51.100.110';
const bytes = (s: string | number[]): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : Uint8Array.from(s));

function flow(dport: number): Flow {
  const f = testFlow({ src: CLIENT, dst: SERVER, dport, sec: 500 });
  countPacket(f, 'toServer', 500);
  return f;
}

const seqs = new WeakMap<Flow, Record<FlowDirection, number>>();

/** Telnet, POP3 and IMAP go in as packets (in sequence), everything else as stream chunks. */
function stream(d: CleartextCredentialDetector, f: Flow, raise: ReturnType<typeof collector>['raise'], parts: [FlowDirection, string | number[]][]): void {
  for (const [direction, data] of parts) {
    if (![23, 110, 143].includes(f.dstPort)) {
      d.onStream({ flow: f, direction, data: bytes(data) }, raise);
      continue;
    }
    let seq = seqs.get(f);
    if (seq === undefined) seqs.set(f, (seq = { toServer: 1000, toClient: 9000 }));
    const p = testPacket(500);
    p.payload = bytes(data);
    p.tcpSeq = seq[direction];
    seq[direction] += p.payload.length;
    d.onPacket(p, f, direction, raise);
  }
}

const summary = (alerts: ReturnType<typeof collector>['alerts']) => alerts.map((a) => [a.signatureId, a.explain, a.metadata?.protocol?.[0], a.metadata?.username?.[0]]);

describe('CleartextCredentialDetector', () => {
  it('raises FTP USER/PASS once with the user name and without the password', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    const f = flow(21);
    d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'USER', command_data: 'taro', completion_code: ['331'] } }), raise);
    d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'PASS', command_data: 's3cret', completion_code: ['230'] } }), raise);
    d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'PASS', command_data: 's3cret', completion_code: ['230'] } }), raise);
    expect(summary(alerts)).toEqual([[9_100_300, 'cleartext_credentials', 'ftp', 'taro']]);
    expect(JSON.stringify(alerts)).not.toContain('s3cret');
    expect(alerts[0]!.category).toBe('Potential Corporate Privacy Violation');
  });

  it('ignores anonymous FTP', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    const f = flow(21);
    d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'USER', command_data: 'Anonymous' } }), raise);
    d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'PASS', command_data: 'guest@example.jp' } }), raise);
    expect(alerts).toEqual([]);
  });

  it('follows a Telnet login through option negotiation, echo and backspace', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    const f = flow(23);
    stream(d, f, raise, [
      ['toClient', [0xff, 0xfd, 0x18, 0xff, 0xfb, 0x01]],
      ['toServer', [0xff, 0xfb, 0x18, 0xff, 0xfa, 0x18, 0x00, 0x78, 0x74, 0x65, 0x72, 0x6d, 0xff, 0xf0]],
      ['toClient', '\r\nUbuntu 22.04\r\nrouter login: '],
      ['toServer', 'r'], ['toClient', 'r'], ['toServer', 'o'], ['toServer', 'x'], ['toServer', [0x7f]], ['toServer', 'ot'], ['toServer', '\r\n'],
      ['toClient', '\r\nPassword: '],
      ['toServer', 'hunter2'], ['toServer', '\r'],
    ]);
    expect(summary(alerts)).toEqual([[9_100_301, 'cleartext_credentials', 'telnet', 'root']]);
    expect(JSON.stringify(alerts)).not.toContain('hunter2');
  });

  it('drops retransmitted Telnet segments', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    const f = flow(23);
    stream(d, f, raise, [['toClient', 'login: '], ['toServer', 'ad']]);
    // The same 2 bytes again (seq 1000): ignored, else the user would read "adad".
    const again = testPacket(501);
    again.payload = bytes('ad');
    again.tcpSeq = 1000;
    d.onPacket(again, f, 'toServer', raise);
    stream(d, f, raise, [['toServer', 'min\r\n'], ['toClient', 'Password:'], ['toServer', 'x\r\n']]);
    expect(summary(alerts)).toEqual([[9_100_301, 'cleartext_credentials', 'telnet', 'admin']]);
  });

  it('leaves POP3 that the app layer mistook for FTP to the POP3 path', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    const f = flow(110);
    d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'USER', command_data: 'u' } }), raise);
    d.onAppRecord(appRecord(f, 'ftp', { ftp: { command: 'PASS', command_data: 'p' } }), raise);
    expect(alerts).toEqual([]);
  });

  it('needs the password prompt before a Telnet alert', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    stream(d, flow(23), raise, [['toClient', 'Welcome\r\n$ '], ['toServer', 'ls -l\r\n']]);
    expect(alerts).toEqual([]);
  });

  it('finds HTTP Basic in the request stream, in logged headers and in the parser source', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    const token = Buffer.from('admin:pa55').toString('base64');
    stream(d, flow(8080), raise, [['toServer', `GET /cgi-bin/status HTTP/1.1\r\nHost: cam\r\nauthorization: Basic ${token}\r\n\r\n`]]);
    const g = testFlow({ src: CLIENT, dst: '198.51.100.111', dport: 80, sec: 1 });
    d.onAppRecord(appRecord(g, 'http', { http: { request_headers: [{ name: 'Authorization', value: `Basic ${Buffer.from('kanri:x').toString('base64')}` }] } }), raise);
    const h = testFlow({ src: CLIENT, dst: '198.51.100.112', dport: 80, sec: 1 });
    const rec = { ...appRecord(h, 'http', { http: {} }), source: { http: { request: { headers: [{ name: 'Proxy-Authorization', value: `Basic ${Buffer.from('proxyuser:y').toString('base64')}` }] } } } };
    // Only the headers matter here: the rest of the parser's transaction is left out.
    d.onAppRecord(rec as unknown as AppRecordOut, raise);
    expect(summary(alerts)).toEqual([
      [9_100_302, 'cleartext_credentials', 'http', 'admin'],
      [9_100_302, 'cleartext_credentials', 'http', 'kanri'],
      [9_100_302, 'cleartext_credentials', 'http', 'proxyuser'],
    ]);
  });

  it('does not look at HTTP bodies past scanBytesPerFlow nor at streams that are not HTTP', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    const token = Buffer.from('late:pw').toString('base64');
    stream(d, flow(80), raise, [['toServer', `POST /upload HTTP/1.1\r\nContent-Length: 70000\r\n\r\n${'x'.repeat(70_000)}`], ['toServer', `\r\nAuthorization: Basic ${token}\r\n`]]);
    stream(d, flow(9999), raise, [['toServer', [0x16, 0x03, 0x01]], ['toServer', `Authorization: Basic ${token}\r\n`]]);
    expect(alerts).toEqual([]);
  });

  it('raises POP3 USER/PASS, POP3 APOP and IMAP LOGIN with the user names', () => {
    const d = new CleartextCredentialDetector(DEFAULT_BEHAVIOUR_CONFIG.cleartextCredentials);
    const { alerts, raise } = collector();
    stream(d, flow(110), raise, [['toClient', '+OK POP3 ready\r\n'], ['toServer', 'USER yamada\r\nPA'], ['toServer', 'SS secret\r\n']]);
    stream(d, testFlow({ src: '192.168.1.31', dst: SERVER, dport: 110 }), raise, [['toServer', 'APOP suzuki c4c9334bac560ecc979e58001b3e22fb\r\n']]);
    stream(d, flow(143), raise, [['toServer', 'a001 CAPABILITY\r\n'], ['toServer', 'a002 LOGIN "sato hanako" "pw"\r\n']]);
    expect(summary(alerts)).toEqual([
      [9_100_303, 'cleartext_credentials', 'pop3', 'yamada'],
      [9_100_303, 'cleartext_credentials', 'pop3', 'suzuki'],
      [9_100_304, 'cleartext_credentials', 'imap', 'sato hanako'],
    ]);
  });

  it('strips Telnet commands', () => {
    expect(telnetText(bytes([0x61, 0xff, 0xfb, 0x01, 0x62, 0xff, 0xff, 0x63, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, 0x64]))).toBe('ab\xffcd');
  });
});
