/**
 * TCP session state as an observer sees it (after Suricata's stream-tcp.c, midstream pickup on):
 * handshake, the two ways a connection closes, and RST. Sequence numbers are only used to tell
 * whether a FIN was acknowledged; window validation is out of scope. The flow state follows the
 * session as in StreamTcpPacketSetState: established once the handshake completes, closed from
 * last_ack / time_wait / closed on.
 */
import type { Flow, TcpState } from './flow.ts';

const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_ACK = 0x10;

/** True when `ack` acknowledges everything up to `needed` (both uint32, wraparound-safe). */
function acknowledges(flags: number, ack: number, needed: number): boolean {
  return needed >= 0 && (flags & TH_ACK) !== 0 && ((ack - needed) | 0) >= 0;
}

function setState(f: Flow, s: TcpState): void {
  f.tcpState = s;
  switch (s) {
    case 'established':
    case 'fin_wait1':
    case 'fin_wait2':
    case 'closing':
    case 'close_wait':
      f.state = 'established';
      break;
    case 'last_ack':
    case 'time_wait':
    case 'closed':
      f.state = 'closed';
      break;
    default:
      break;
  }
}

/** Advances the session state for one segment of `f`. */
export function trackTcp(f: Flow, toServer: boolean, flags: number, seq: number, ack: number, payloadLength: number): void {
  if ((flags & TH_RST) !== 0) {
    setState(f, 'closed');
    return;
  }
  const syn = (flags & TH_SYN) !== 0;
  const fin = (flags & TH_FIN) !== 0;
  // The ACK number that acknowledges this segment's FIN: a SYN and the FIN each take one number.
  const finAck = fin ? (seq + payloadLength + (syn ? 2 : 1)) >>> 0 : -1;
  switch (f.tcpState) {
    case 'none':
      if (syn && (flags & TH_ACK) === 0) setState(f, toServer ? 'syn_sent' : 'syn_recv');
      else if (syn) setState(f, 'syn_recv');
      else setState(f, 'established');
      break;
    case 'syn_sent':
      if (!toServer && syn) setState(f, 'syn_recv');
      else if (!syn && (flags & TH_ACK) !== 0) setState(f, 'established'); // SYN/ACK missed
      break;
    case 'syn_recv':
      if (!syn && (flags & TH_ACK) !== 0) setState(f, 'established');
      break;
    default:
      break;
  }
  closeTransitions(f, toServer, flags, ack, finAck);
}

/** Remembers the ACK number that will acknowledge this FIN, per side. */
function noteFin(f: Flow, toServer: boolean, finAck: number): void {
  if (toServer) f.clientFinAck = finAck;
  else f.serverFinAck = finAck;
}

function closeTransitions(f: Flow, toServer: boolean, flags: number, ack: number, finAck: number): void {
  const fin = finAck >= 0;
  // Which FINs the peer has acknowledged so far: the session is closed once both are.
  if (toServer && !f.serverFinAcked && acknowledges(flags, ack, f.serverFinAck)) f.serverFinAcked = true;
  if (!toServer && !f.clientFinAcked && acknowledges(flags, ack, f.clientFinAck)) f.clientFinAcked = true;
  // Suricata names the states from the server's side (stream-tcp.c StreamTcpHandleFin): a FIN from
  // the client leads to close_wait and, with the server's FIN, to last_ack; a FIN from the server
  // leads to fin_wait1, fin_wait2 / closing, time_wait.
  const fromServer = !toServer;
  switch (f.tcpState) {
    case 'established':
      if (!fin) return;
      noteFin(f, toServer, finAck);
      setState(f, fromServer ? 'fin_wait1' : 'close_wait');
      return;
    case 'fin_wait1':
      if (fromServer) return;
      if (fin) {
        noteFin(f, toServer, finAck);
        setState(f, f.serverFinAcked ? 'time_wait' : 'closing');
      } else if (f.serverFinAcked) {
        setState(f, 'fin_wait2');
      }
      return;
    case 'fin_wait2':
      if (!fromServer && fin) {
        noteFin(f, toServer, finAck);
        setState(f, 'time_wait');
      }
      return;
    case 'closing':
      if (f.clientFinAcked || f.serverFinAcked) setState(f, f.clientFinAcked && f.serverFinAcked ? 'closed' : 'time_wait');
      return;
    case 'time_wait':
      if (f.clientFinAcked && f.serverFinAcked) setState(f, 'closed');
      return;
    case 'close_wait':
      if (fromServer && fin) {
        noteFin(f, toServer, finAck);
        setState(f, 'last_ack');
      }
      return;
    case 'last_ack':
      if (f.serverFinAcked) setState(f, 'closed');
      return;
    default:
      return;
  }
}
