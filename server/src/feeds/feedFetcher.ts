/**
 * Fetches a threat feed from its URL, refusing internal and metadata addresses (like gophish's
 * dialer): the check runs on the address actually connected to (in the socket's DNS lookup), so a
 * name that resolves to 127.0.0.1 or 169.254.169.254 — or rebinds between check and connect — is
 * refused too. Bounded in size and time; redirects are followed (a few) through the same checks.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

export interface FeedFetchSettings {
  /** Allow loopback/private/link-local addresses (tests, or a feed mirror on the internal network). */
  allowPrivateAddresses?: boolean | undefined;
  maxBytes?: number | undefined;
  timeoutMs?: number | undefined;
}

export const DEFAULT_FEED_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_FEED_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 3;

/** Why a fetch failed, in words the operator can act on. */
export class FeedFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedFetchError';
  }
}

const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) internal.addSubnet(net, prefix, 'ipv6');

/** True for loopback, private, link-local (cloud metadata), CGNAT, multicast and reserved addresses. */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isInternalAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 4) return internal.check(address, 'ipv4');
  if (family === 6) return /^::ffff:/i.test(address) || internal.check(address, 'ipv6');
  return true;
}

function refusal(host: string, address: string): FeedFetchError {
  return new FeedFetchError(`${host} is ${address === host ? '' : `resolved to ${address}, `}an internal or metadata address: feeds are fetched only from public addresses`);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const bad = allowPrivate ? undefined : addresses.find((a) => isInternalAddress(a.address));
      if (bad) return callback(refusal(hostname, bad.address) as NodeJS.ErrnoException, '');
      if (addresses.length === 0) return callback(new FeedFetchError(`${hostname} has no address`) as NodeJS.ErrnoException, '');
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Downloads `url` (http or https only) and returns its bytes. */
export async function fetchFeed(url: string, settings: FeedFetchSettings = {}): Promise<Buffer> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const result = await fetchOnce(current, settings);
    if (result.kind === 'body') return result.body;
    current = new URL(result.location, current).toString();
  }
  throw new FeedFetchError(`more than ${MAX_REDIRECTS} redirects; set the feed's URL to the final address`);
}

function fetchOnce(url: string, settings: FeedFetchSettings): Promise<{ kind: 'body'; body: Buffer } | { kind: 'redirect'; location: string }> {
  const maxBytes = settings.maxBytes ?? DEFAULT_FEED_MAX_BYTES;
  const timeoutMs = settings.timeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
  const allowPrivate = settings.allowPrivateAddresses ?? false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(new FeedFetchError(`not a URL: ${url}`));
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return Promise.reject(new FeedFetchError(`only http and https feeds are fetched, not ${parsed.protocol}`));
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  // An address literal never goes through the lookup, so it is checked here.
  if (isIP(host) && !allowPrivate && isInternalAddress(host)) return Promise.reject(refusal(host, host));

  return new Promise((resolve, reject) => {
    const client = parsed.protocol === 'https:' ? https : http;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(err instanceof FeedFetchError ? err : new FeedFetchError(`fetching ${parsed.host} failed: ${err.message}`));
    };
    const request = client.get(parsed, { lookup: guardedLookup(allowPrivate) as never, headers: { 'user-agent': 'otasuke-server feed import', accept: '*/*' } }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        settled = true;
        clearTimeout(timer);
        resolve({ kind: 'redirect', location: response.headers.location });
        return;
      }
      if (status !== 200) {
        response.resume();
        return fail(new FeedFetchError(`${parsed.host} answered HTTP ${status}; check the feed's URL`));
      }
      const declared = Number(response.headers['content-length'] ?? 0);
      if (declared > maxBytes) return fail(new FeedFetchError(`the feed is ${declared} bytes, more than the limit of ${maxBytes} (feedMaxBytes)`));
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(new FeedFetchError(`the feed is larger than the limit of ${maxBytes} bytes (feedMaxBytes)`));
        chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ kind: 'body', body: Buffer.concat(chunks) });
      });
    });
    request.on('error', fail);
    const timer = setTimeout(() => fail(new FeedFetchError(`no complete answer from ${parsed.host} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
}
