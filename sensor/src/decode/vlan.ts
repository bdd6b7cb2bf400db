/**
 * IEEE 802.1Q / 802.1ad (QinQ) tags: TCI(2) EtherType(2) after the outer EtherType. Each tag's
 * 12-bit VLAN id is appended to Packet.vlan, outermost first, as EVE's `vlan` array.
 */
import { decodeEtherType } from './etherType.ts';
import { DecoderEvent } from './events.ts';
import type { Packet } from './packet.ts';

/** Tags we follow before giving up (Suricata stops at three too). */
export const VLAN_MAX_LAYERS = 3;
const VLAN_HEADER_BYTES = 4;

export function decodeVlan(p: Packet, off: number, end: number): void {
  if (end - off < VLAN_HEADER_BYTES) {
    p.addEvent(DecoderEvent.vlanHeaderTooSmall);
    return;
  }
  if (p.vlan.length >= VLAN_MAX_LAYERS) {
    p.addEvent(DecoderEvent.vlanTooManyLayers);
    return;
  }
  const b = p.data;
  p.addVlan(((b[off]! << 8) | b[off + 1]!) & 0x0fff);
  const type = (b[off + 2]! << 8) | b[off + 3]!;
  if (!decodeEtherType(p, type, off + VLAN_HEADER_BYTES, end)) p.addEvent(DecoderEvent.vlanUnknownType);
}
