/**
 * FTP-data through the whole pipeline on generated captures: active mode (PORT, EPRT), where the
 * server opens the data connection, an upload (STOR) by an inside host, and a data connection that
 * matches nothing.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDetection } from '../../detect/detection.ts';
import { validateEveRecord } from '../../eve/eveSchema.ts';
import { runCapture } from '../../pipeline/runCapture.ts';
import { ethernet, ipv4, ipv6, tcp, writePcap } from '../../testing/pcapWriter.ts';

const ACK = 0x10;
const PSH_ACK = 0x18;
const SYN = 0x02;
const SYN_ACK = 0x12;
const FIN_ACK = 0x11;

/** Frames of TCP connections, written in the order the test sends them. */
class Capture {
  readonly frames: Uint8Array[] = [];
  conn(client: string, clientPort: number, server: string, serverPort: number): Conn {
    return new Conn(this, client, clientPort, server, serverPort);
  }
}

class Conn {
  private seq = { c: 1000, s: 5000 };
  constructor(
    private readonly cap: Capture,
    private readonly client: string,
    private readonly clientPort: number,
    private readonly server: string,
    private readonly serverPort: number,
  ) {}

  private frame(fromClient: boolean, flags: number, payload = ''): void {
    const [src, dst, sp, dp] = fromClient ? [this.client, this.server, this.clientPort, this.serverPort] : [this.server, this.client, this.serverPort, this.clientPort];
    const seq = fromClient ? this.seq.c : this.seq.s;
    const ack = fromClient ? this.seq.s : this.seq.c;
    const seg = tcp({ srcPort: sp, dstPort: dp, seq, ack: flags === SYN ? 0 : ack, flags }, payload);
    const v6 = src.includes(':');
    this.cap.frames.push(ethernet({ etherType: v6 ? 0x86dd : 0x0800 }, v6 ? ipv6({ src, dst, nextHeader: 6 }, seg) : ipv4({ src, dst, proto: 6 }, seg)));
    const len = Buffer.byteLength(payload, 'latin1') + ((flags & (SYN | 0x01)) !== 0 ? 1 : 0);
    if (fromClient) this.seq.c += len;
    else this.seq.s += len;
  }

  open(): this {
    this.frame(true, SYN);
    this.frame(false, SYN_ACK);
    this.frame(true, ACK);
    return this;
  }

  /** Data, acknowledged by the other side. */
  send(fromClient: boolean, payload: string): this {
    this.frame(fromClient, PSH_ACK, payload);
    this.frame(!fromClient, ACK);
    return this;
  }

  close(): this {
    this.frame(true, FIN_ACK);
    this.frame(false, FIN_ACK);
    this.frame(true, ACK);
    return this;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'otasuke-ftpdata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function records(cap: Capture, ioc?: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const pcap = writePcap(cap.frames.map((data, i) => ({ data, tsSec: 1_700_000_000, tsNsec: i * 1000 })));
  let options = {};
  if (ioc !== undefined) {
    const list = join(dir, 'hashes.txt');
    writeFileSync(list, `${ioc}\n`);
    const d = await buildDetection({ homeNet: '[10.0.0.0/8,2001:db8:1::/48]', iocFiles: [list], behaviour: false });
    options = { detection: { stages: d.stages, homeNet: d.homeNet } };
  }
  await runCapture([pcap], (r) => void out.push(r as unknown as Record<string, unknown>), { ...options, fileHashes: { sha256: true } });
  return out;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'latin1').digest('hex');
const PART1 = 'PK\x03\x04 first segment of the upload ';
const PART2 = 'and the second one.';

describe('FTP-data on generated captures', () => {
  it('active mode upload (PORT + STOR): the server connects from port 20, the file travels toward it, outbound', async () => {
    const cap = new Capture();
    const ctl = cap.conn('10.0.0.5', 40000, '198.51.100.9', 21).open();
    ctl.send(false, '220 FTP server ready\r\n').send(true, 'USER u\r\n').send(false, '331 pw\r\n').send(true, 'PASS p\r\n').send(false, '230 ok\r\n');
    ctl.send(true, 'PORT 10,0,0,5,19,137\r\n').send(false, '200 PORT ok\r\n');
    ctl.send(true, 'STOR secret plans.zip\r\n').send(false, '150 Ok to send data.\r\n');
    cap.conn('198.51.100.9', 20, '10.0.0.5', 5001).open().send(false, PART1).send(false, PART2).close();
    ctl.send(false, '226 Transfer complete.\r\n').send(true, 'QUIT\r\n').send(false, '221 bye\r\n').close();

    const recs = await records(cap);
    const files = recs.filter((r) => r.event_type === 'fileinfo');
    expect(files).toEqual([
      expect.objectContaining({
        src_ip: '10.0.0.5',
        src_port: 5001,
        dest_ip: '198.51.100.9',
        dest_port: 20,
        app_proto: 'ftp-data',
        ftp_data: { filename: 'secret plans.zip', command: 'STOR' },
        fileinfo: { filename: 'secret plans.zip', gaps: false, state: 'CLOSED', sha256: sha256(PART1 + PART2), stored: false, size: PART1.length + PART2.length, tx_id: 0 },
      }),
    ]);

    for (const r of recs) expect(validateEveRecord(r), String(r.event_type)).toEqual({ ok: true });

    const alerted = await records(cap, sha256(PART1 + PART2));
    for (const r of alerted) expect(validateEveRecord(r), String(r.event_type)).toEqual({ ok: true });
    const alerts = alerted.filter((r) => r.event_type === 'alert') as { src_ip: string; dest_ip: string; app_proto: string; alert: { metadata: Record<string, string[]> } }[];
    expect(alerts.map((a) => [a.src_ip, a.dest_ip, a.app_proto, a.alert.metadata.otasuke_engine, a.alert.metadata.otasuke_direction])).toEqual([['10.0.0.5', '198.51.100.9', 'ftp-data', ['file'], ['outbound']]]);
  });

  it('EPRT over IPv6, RETR: the server sends the file to the client, inbound', async () => {
    const cap = new Capture();
    const ctl = cap.conn('2001:db8:1::5', 40001, '2001:db8:2::9', 21).open();
    ctl.send(false, '220 FTP server ready\r\n').send(true, 'EPRT |2|2001:db8:1::5|6275|\r\n').send(false, '200 EPRT ok\r\n');
    ctl.send(true, 'RETR tool.exe\r\n').send(false, '150 Opening\r\n');
    cap.conn('2001:db8:2::9', 20, '2001:db8:1::5', 6275).open().send(true, 'MZ payload').close();
    ctl.send(false, '226 done\r\n').close();
    const recs = await records(cap, sha256('MZ payload'));
    const file = recs.find((r) => r.event_type === 'fileinfo') as { src_ip: string; dest_ip: string; fileinfo: { filename: string; size: number } } | undefined;
    expect([file?.src_ip, file?.dest_ip, file?.fileinfo.filename, file?.fileinfo.size]).toEqual([
      // EVE writes IPv6 addresses in full, as Suricata does.
      '2001:0db8:0002:0000:0000:0000:0000:0009',
      '2001:0db8:0001:0000:0000:0000:0000:0005',
      'tool.exe',
      10,
    ]);
    const alerts = recs.filter((r) => r.event_type === 'alert') as { alert: { metadata: Record<string, string[]> } }[];
    expect(alerts.map((a) => a.alert.metadata.otasuke_direction)).toEqual([['inbound']]);
  });

  it('a connection to an announced port from a third host, or with no transfer command, is not ftp-data', async () => {
    const cap = new Capture();
    const ctl = cap.conn('10.0.0.5', 40002, '198.51.100.9', 21).open();
    ctl.send(false, '220 FTP server ready\r\n').send(true, 'PASV\r\n').send(false, '227 Entering Passive Mode (198,51,100,9,19,137).\r\n');
    ctl.send(true, 'RETR a.bin\r\n').send(false, '150 Opening\r\n');
    // Another host connects to the announced port first: not the expected connection.
    cap.conn('10.0.0.66', 50000, '198.51.100.9', 5001).open().send(false, 'not for you').close();
    // A PASV with no command after it expects nothing.
    ctl.send(true, 'PASV\r\n').send(false, '227 Entering Passive Mode (198,51,100,9,19,138).\r\n');
    cap.conn('10.0.0.5', 50001, '198.51.100.9', 5002).open().send(false, 'stray').close();
    ctl.close();
    const recs = await records(cap);
    expect(recs.filter((r) => r.event_type === 'fileinfo')).toEqual([]);
    const flows = recs.filter((r) => r.event_type === 'flow').map((r) => `${String(r.src_ip)}:${String(r.dest_port)}:${String(r.app_proto)}`).sort();
    expect(flows).toEqual(['10.0.0.5:21:ftp', '10.0.0.5:5002:failed', '10.0.0.66:5001:failed']);
  });
});
