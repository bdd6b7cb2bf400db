/**
 * Which suppression silences an alert. Pure: the active suppressions and the alert in, an id out.
 * A suppression matches when every condition it sets holds (signature gid:sid, the inside host, the
 * outside peer, a CIDR containing either end) and it is global or the alert's subscriber's own.
 * Addresses are compared as addresses (node:net BlockList), so "::1" and "0:0::1" are the same.
 */
import { BlockList, isIPv6 } from 'node:net';
import { endsOf } from '../incidents/correlation.ts';
import type { AlertDirection } from '@otasuke/shared';

export interface SuppressionRule {
  id: string;
  organizationId: string | null;
  gid: number | null;
  signatureId: number | null;
  insideHost: string | null;
  peer: string | null;
  cidr: string | null;
  expiresAt: Date | null;
}

export interface SuppressibleAlert {
  organizationId: string;
  observedAt: Date;
  direction: AlertDirection;
  gid: number;
  signatureId: number;
  srcIp: string;
  destIp: string;
}

const family = (ip: string) => (isIPv6(ip) ? 'ipv6' : 'ipv4');

interface CompiledRule extends SuppressionRule {
  host?: BlockList;
  peerList?: BlockList;
  range?: BlockList;
}

function addressList(ip: string): BlockList {
  const list = new BlockList();
  list.addAddress(ip.replace(/\/(32|128)$/, ''), family(ip));
  return list;
}

function compile(rule: SuppressionRule): CompiledRule {
  const compiled: CompiledRule = { ...rule };
  if (rule.insideHost) compiled.host = addressList(rule.insideHost);
  if (rule.peer) compiled.peerList = addressList(rule.peer);
  if (rule.cidr) {
    const [network, prefix] = rule.cidr.split('/');
    compiled.range = new BlockList();
    compiled.range.addSubnet(network!, Number(prefix ?? (isIPv6(network!) ? 128 : 32)), family(network!));
  }
  return compiled;
}

const inList = (list: BlockList, ip: string | null) => ip !== null && list.check(ip, family(ip));

/** A matcher over one set of suppressions; build once per batch. */
export function suppressionMatcher(rules: readonly SuppressionRule[]): (alert: SuppressibleAlert) => string | null {
  const compiled = rules.map(compile);
  return (alert) => {
    const { insideHost, peer } = endsOf(alert);
    for (const rule of compiled) {
      if (rule.organizationId !== null && rule.organizationId !== alert.organizationId) continue;
      if (rule.expiresAt !== null && rule.expiresAt.getTime() <= alert.observedAt.getTime()) continue;
      if (rule.signatureId !== null && (rule.signatureId !== alert.signatureId || (rule.gid ?? 1) !== alert.gid)) continue;
      if (rule.host && !inList(rule.host, insideHost)) continue;
      if (rule.peerList && !inList(rule.peerList, peer)) continue;
      if (rule.range && !inList(rule.range, alert.srcIp) && !inList(rule.range, alert.destIp)) continue;
      return rule.id;
    }
    return null;
  };
}
