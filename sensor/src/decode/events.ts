/**
 * Names of decoder anomaly events. Where Suricata has the anomaly we use its name
 * (src/decode-events.c), so rules and EVE consumers written for Suricata keep working; the few we
 * add (ARP, unsupported link type) follow the same `decoder.<layer>.<what>` shape.
 * Events are returned on the Packet; rules decide whether they alert.
 */
export const DecoderEvent = {
  ethernetPktTooSmall: 'decoder.ethernet.pkt_too_small',
  vlanHeaderTooSmall: 'decoder.vlan.header_too_small',
  vlanUnknownType: 'decoder.vlan.unknown_type',
  vlanTooManyLayers: 'decoder.vlan.too_many_layers',
  sllPktTooSmall: 'decoder.sll.pkt_too_small',
  sll2PktTooSmall: 'decoder.sll2.pkt_too_small',
  ltnullPktTooSmall: 'decoder.ltnull.pkt_too_small',
  ltnullUnsupportedType: 'decoder.ltnull.unsupported_type',
  iprawInvalidIpVersion: 'decoder.ipraw.invalid_ip_version',
  linkUnsupportedType: 'decoder.link.unsupported_type',
  pppoePktTooSmall: 'decoder.pppoe.pkt_too_small',
  pppoeWrongCode: 'decoder.pppoe.wrong_code',
  arpPktTooSmall: 'decoder.arp.pkt_too_small',

  ipv4PktTooSmall: 'decoder.ipv4.pkt_too_small',
  ipv4HlenTooSmall: 'decoder.ipv4.hlen_too_small',
  ipv4IplenSmallerThanHlen: 'decoder.ipv4.iplen_smaller_than_hlen',
  ipv4TruncPkt: 'decoder.ipv4.trunc_pkt',
  ipv4WrongIpVersion: 'decoder.ipv4.wrong_ip_version',
  ipv4Icmpv6: 'decoder.ipv4.icmpv6',
  ipv4FragPktTooLarge: 'decoder.ipv4.frag_pkt_too_large',
  ipv4FragOverlap: 'decoder.ipv4.frag_overlap',
  ipv4FragIgnored: 'decoder.ipv4.frag_ignored',

  ipv6PktTooSmall: 'decoder.ipv6.pkt_too_small',
  ipv6TruncPkt: 'decoder.ipv6.trunc_pkt',
  ipv6TruncExthdr: 'decoder.ipv6.trunc_exthdr',
  ipv6ExthdrDuplFh: 'decoder.ipv6.exthdr_dupl_fh',
  ipv6ExthdrUselessFh: 'decoder.ipv6.exthdr_useless_fh',
  ipv6ExthdrDuplRh: 'decoder.ipv6.exthdr_dupl_rh',
  ipv6ExthdrDuplHh: 'decoder.ipv6.exthdr_dupl_hh',
  ipv6ExthdrDuplDh: 'decoder.ipv6.exthdr_dupl_dh',
  ipv6ExthdrDuplAh: 'decoder.ipv6.exthdr_dupl_ah',
  ipv6ExthdrInvalidOptlen: 'decoder.ipv6.exthdr_invalid_optlen',
  ipv6HopoptsUnknownOpt: 'decoder.ipv6.hopopts_unknown_opt',
  ipv6HopoptsOnlyPadding: 'decoder.ipv6.hopopts_only_padding',
  ipv6DstoptsUnknownOpt: 'decoder.ipv6.dstopts_unknown_opt',
  ipv6DstoptsOnlyPadding: 'decoder.ipv6.dstopts_only_padding',
  ipv6ZeroLenPadn: 'decoder.ipv6.zero_len_padn',
  ipv6WrongIpVersion: 'decoder.ipv6.wrong_ip_version',
  ipv6ExthdrAhResNotNull: 'decoder.ipv6.exthdr_ah_res_not_null',
  ipv6RhType0: 'decoder.ipv6.rh_type_0',
  ipv6FhNonZeroReservedField: 'decoder.ipv6.fh_non_zero_reserved_field',
  ipv6DataAfterNoneHeader: 'decoder.ipv6.data_after_none_header',
  ipv6Icmpv4: 'decoder.ipv6.icmpv4',
  ipv6FragPktTooLarge: 'decoder.ipv6.frag_pkt_too_large',
  ipv6FragOverlap: 'decoder.ipv6.frag_overlap',
  ipv6FragIgnored: 'decoder.ipv6.frag_ignored',

  tcpPktTooSmall: 'decoder.tcp.pkt_too_small',
  tcpHlenTooSmall: 'decoder.tcp.hlen_too_small',
  tcpInvalidOptlen: 'decoder.tcp.invalid_optlen',
  tcpOptInvalidLen: 'decoder.tcp.opt_invalid_len',
  tcpOptDuplicate: 'decoder.tcp.opt_duplicate',

  udpPktTooSmall: 'decoder.udp.pkt_too_small',
  udpHlenTooSmall: 'decoder.udp.hlen_too_small',
  udpHlenInvalid: 'decoder.udp.hlen_invalid',

  icmpv4PktTooSmall: 'decoder.icmpv4.pkt_too_small',
  icmpv4UnknownType: 'decoder.icmpv4.unknown_type',
  icmpv4UnknownCode: 'decoder.icmpv4.unknown_code',
  icmpv4Ipv4TruncPkt: 'decoder.icmpv4.ipv4_trunc_pkt',
  icmpv4Ipv4UnknownVer: 'decoder.icmpv4.ipv4_unknown_ver',

  icmpv6PktTooSmall: 'decoder.icmpv6.pkt_too_small',
  icmpv6UnknownType: 'decoder.icmpv6.unknown_type',
  icmpv6UnknownCode: 'decoder.icmpv6.unknown_code',
  icmpv6UnassignedType: 'decoder.icmpv6.unassigned_type',
  icmpv6ExperimentationType: 'decoder.icmpv6.experimentation_type',
  icmpv6MldMessageWithInvalidHl: 'decoder.icmpv6.mld_message_with_invalid_hl',
} as const;

export type DecoderEventName = (typeof DecoderEvent)[keyof typeof DecoderEvent];
