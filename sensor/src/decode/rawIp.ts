/** Raw IP links (LINKTYPE_RAW and friends): the frame starts at the IP header; its version nibble
 *  picks the decoder. Also used for datagrams rebuilt by the defragmenter. */
import { DecoderEvent } from './events.ts';
import { decodeIPv4 } from './ipv4.ts';
import { decodeIPv6 } from './ipv6.ts';
import type { Packet } from './packet.ts';

export function decodeRawIp(p: Packet, off: number, end: number): void {
  if (end - off < 1) {
    p.addEvent(DecoderEvent.iprawInvalidIpVersion);
    return;
  }
  const version = p.data[off]! >> 4;
  if (version === 4) decodeIPv4(p, off, end);
  else if (version === 6) decodeIPv6(p, off, end);
  else p.addEvent(DecoderEvent.iprawInvalidIpVersion);
}
