/**
 * The detectors that read byte streams, end to end through the real pipeline (decode, flow,
 * reassembly, app layer) on captures the project builds itself: no public capture holds a Telnet,
 * POP3 or HTTP Basic login. Checks the alert records as written, schema included.
 */
import { describe, expect, it } from 'vitest';
import { TCP_FLAG } from '../../decode/packet.ts';
import { validateEveRecord } from '../../eve/eveSchema.ts';
import { runCapture } from '../../pipeline/runCapture.ts';
import { ethernet, ipv4, tcp, writePcap } from '../../testing/pcapWriter.ts';
import type { PacketRecord } from '../../testing/pcapWriter.ts';
import { HomeNet } from '../homeNet.ts';
import { createBehaviourStage, DEFAULT_BEHAVIOUR_CONFIG } from './index.ts';

const CLIENT = '192.168.1.20';
const { SYN, ACK, FIN, PSH } = TCP_FLAG;

/** A whole TCP conversation: handshake, each line of `talk` acknowledged by the other side, FINs. */
function conversation(server: string, sport: number, dport: number, talk: ['c' | 's', string][], start: number): PacketRecord[] {
  const out: PacketRecord[] = [];
  let t = start;
  let cseq = 1000;
  let sseq = 5000;
  const pkt = (fromClient: boolean, flags: number, text = ''): void => {
    // Latin-1: one byte per character, so Telnet's IAC bytes go out as themselves.
    const payload = Uint8Array.from(Buffer.from(text, 'latin1'));
    const seg = tcp(
      { srcPort: fromClient ? sport : dport, dstPort: fromClient ? dport : sport, seq: fromClient ? cseq : sseq, ack: flags & ACK ? (fromClient ? sseq : cseq) : 0, flags },
      payload,
    );
    const ip = ipv4({ src: fromClient ? CLIENT : server, dst: fromClient ? server : CLIENT, proto: 6 }, seg);
    out.push({ data: ethernet({ etherType: 0x0800 }, ip), tsSec: Math.floor(t), tsNsec: Math.round((t % 1) * 1e9) });
    t += 0.01;
  };
  pkt(true, SYN);
  cseq++;
  pkt(false, SYN | ACK);
  sseq++;
  pkt(true, ACK);
  for (const [who, text] of talk) {
    const fromClient = who === 'c';
    pkt(fromClient, PSH | ACK, text);
    if (fromClient) cseq += text.length;
    else sseq += text.length;
    pkt(!fromClient, ACK);
  }
  pkt(true, FIN | ACK);
  cseq++;
  pkt(false, FIN | ACK);
  sseq++;
  pkt(true, ACK);
  return out;
}

async function alertsOf(packets: PacketRecord[]): Promise<Record<string, unknown>[]> {
  const home = HomeNet.parse('192.168.1.0/24');
  const alerts: Record<string, unknown>[] = [];
  await runCapture([writePcap(packets)], (r) => {
    if (r.event_type === 'alert') alerts.push(r as unknown as Record<string, unknown>);
  }, { detection: { stages: [createBehaviourStage(DEFAULT_BEHAVIOUR_CONFIG, home)], homeNet: home } });
  for (const a of alerts) expect(validateEveRecord(a)).toEqual({ ok: true });
  return alerts;
}

type AlertRecord = { src_ip: string; dest_ip: string; alert: { signature_id: number; metadata: Record<string, string[]> } };
const summary = (alerts: Record<string, unknown>[]) =>
  (alerts as unknown as AlertRecord[]).map((a) => [a.alert.signature_id, a.src_ip, a.dest_ip, a.alert.metadata.otasuke_direction?.[0], a.alert.metadata.username?.[0]]);

describe('cleartext credentials through the pipeline', () => {
  it('raises Telnet, POP3, IMAP and HTTP Basic logins once each, without the passwords', async () => {
    const basic = Buffer.from('admin:Kanri#2024').toString('base64');
    const packets = [
      ...conversation('203.0.113.23', 40001, 23, [
        ['s', '\xff\xfd\x18'],
        ['c', '\xff\xfc\x18'],
        ['s', 'Debian GNU/Linux 12\r\nrouter login: '],
        ['c', 'root\r\n'],
        ['s', 'Password: '],
        ['c', 'Kanri#2024\r\n'],
        ['s', 'Last login: never\r\n# '],
      ], 1000),
      ...conversation('203.0.113.110', 40002, 110, [
        ['s', '+OK ready\r\n'],
        ['c', 'USER tanaka\r\n'],
        ['s', '+OK\r\n'],
        ['c', 'PASS Kanri#2024\r\n'],
        ['s', '+OK logged in\r\n'],
      ], 1010),
      // The client asks CAPABILITY before LOGIN: the app layer has given up on the flow by then.
      ...conversation('203.0.113.143', 40004, 143, [
        ['s', '* OK IMAP4rev1 ready\r\n'],
        ['c', 'a1 CAPABILITY\r\n'],
        ['s', '* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK\r\n'],
        ['c', 'a2 LOGIN sato Kanri#2024\r\n'],
        ['s', 'a2 OK\r\n'],
      ], 1015),
      ...conversation('203.0.113.80', 40003, 80, [
        ['c', `GET /status HTTP/1.1\r\nHost: camera.example\r\nAuthorization: Basic ${basic}\r\n\r\n`],
        ['s', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
      ], 1020),
    ];
    const alerts = await alertsOf(packets);
    expect(summary(alerts)).toEqual([
      [9_100_301, CLIENT, '203.0.113.23', 'outbound', 'root'],
      [9_100_303, CLIENT, '203.0.113.110', 'outbound', 'tanaka'],
      [9_100_304, CLIENT, '203.0.113.143', 'outbound', 'sato'],
      [9_100_302, CLIENT, '203.0.113.80', 'outbound', 'admin'],
    ]);
    expect(JSON.stringify(alerts)).not.toContain('Kanri#2024');
  });
});
