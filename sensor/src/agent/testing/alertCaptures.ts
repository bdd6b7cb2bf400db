/**
 * Captures that make known alerts, for the agent's tests: N HTTP conversations fetching
 * `/evil/<i>` from a web server outside HOME_NET, and the one rule that alerts on each of them.
 */
import { ethernet, ipv4, tcp, writePcap } from '../../testing/pcapWriter.ts';

export const TEST_RULE = 'alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"OTASUKE TEST evil download"; flow:established,to_server; http.uri; content:"/evil/"; classtype:trojan-activity; sid:9900001; rev:2;)\n';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

interface Tcp4 {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

function tcpFrame(c: Tcp4, flags: number, seq: number, ack: number, payload: string = ''): Uint8Array {
  return ethernet({ etherType: 0x0800 }, ipv4({ src: c.src, dst: c.dst, proto: 6 }, tcp({ srcPort: c.sport, dstPort: c.dport, seq, ack, flags }, payload)));
}

function conversation(c: Tcp4, toServer: string, toClient: string): Uint8Array[] {
  const s: Tcp4 = { src: c.dst, dst: c.src, sport: c.dport, dport: c.sport };
  const a = Buffer.byteLength(toServer);
  const b = Buffer.byteLength(toClient);
  return [
    tcpFrame(c, SYN, 100, 0),
    tcpFrame(s, SYN | ACK, 500, 101),
    tcpFrame(c, ACK, 101, 501),
    tcpFrame(c, PSH | ACK, 101, 501, toServer),
    tcpFrame(s, ACK, 501, 101 + a),
    tcpFrame(s, PSH | ACK, 501, 101 + a, toClient),
    tcpFrame(c, ACK, 101 + a, 501 + b),
    tcpFrame(c, FIN | ACK, 101 + a, 501 + b),
    tcpFrame(s, FIN | ACK, 501 + b, 102 + a),
    tcpFrame(c, ACK, 102 + a, 502 + b),
  ];
}

/** `count` alerting HTTP fetches (`/evil/<first>` … ), a second of packet time apart. */
export function evilDownloadsCapture(first: number, count: number, t0 = 1_764_115_200): Uint8Array {
  const frames: { data: Uint8Array; tsSec: number; tsNsec: number }[] = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const request = `GET /evil/${n} HTTP/1.1\r\nHost: downloads.example.net\r\nUser-Agent: otasuke-agent-test\r\n\r\n`;
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const c: Tcp4 = { src: '192.168.1.10', dst: '203.0.113.80', sport: 20000 + (n % 40000), dport: 80 };
    for (const [j, data] of conversation(c, request, response).entries()) frames.push({ data, tsSec: t0 + n, tsNsec: j * 1000 });
  }
  return writePcap(frames);
}
