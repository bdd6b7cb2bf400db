/**
 * Webhook targets on internal or cloud-metadata addresses are refused (SSRF): the host is resolved
 * and every address it names is checked, at registration and again before each send (the name may
 * point elsewhere by then). The operator may allow them (a lab, the tests' loopback receiver).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { BadRequestError } from '../http/errors.ts';

const internal = new BlockList();
for (const [network, prefix] of [['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16], ['0.0.0.0', 8], ['100.64.0.0', 10]] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
internal.addAddress('::1', 'ipv6');
internal.addAddress('::', 'ipv6');
internal.addSubnet('fc00::', 7, 'ipv6');
internal.addSubnet('fe80::', 10, 'ipv6');

/** True for an address the server must not post to (IPv4-mapped IPv6 is checked as IPv4). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return internal.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type AddressResolver = (host: string) => Promise<string[]>;

export const dnsResolver: AddressResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export class WebhookTargetRefusedError extends BadRequestError {}

/** Throws a field error naming the address when the URL's host is internal (or does not resolve). */
export async function checkWebhookTarget(url: string, options: { allowInternal: boolean; resolve?: AddressResolver }): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookTargetRefusedError('the webhook URL is not a URL', { fields: [{ field: 'body.url', message: 'https://… of your receiver' }] });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new WebhookTargetRefusedError('webhooks are posted over http(s) only', { fields: [{ field: 'body.url', message: 'https://… of your receiver' }] });
  }
  if (options.allowInternal) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (options.resolve ?? dnsResolver)(host);
  } catch {
    throw new WebhookTargetRefusedError(`the webhook host ${host} does not resolve`, { fields: [{ field: 'body.url', message: 'a host name that resolves to a public address' }] });
  }
  const bad = addresses.find(isInternalAddress);
  if (bad !== undefined || addresses.length === 0) {
    throw new WebhookTargetRefusedError(`the webhook host ${host} resolves to an internal or metadata address (${bad ?? 'none'}); the server does not post there`, {
      fields: [{ field: 'body.url', message: 'a receiver on a public address (ask the operator if an internal one is intended)' }],
    });
  }
}
