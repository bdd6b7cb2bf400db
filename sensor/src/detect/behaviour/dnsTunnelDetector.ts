/**
 * DNS tunnelling (iodine, dnscat2, dns2tcp and malware exfiltration): data is encoded into the
 * labels under a domain the attacker runs, so one client asks for many different, long,
 * random-looking names under one registered domain, often for record types that carry data back
 * (NULL, TXT, CNAME, MX). Per (client, registered domain) a sliding window of packet time counts
 * the unique subdomains, how many look encoded (longer than longSubdomainChars, or at least
 * entropyMinChars with Shannon entropy ≥ entropyBits) and how many queries asked data types.
 * It alerts when there are minUniqueSubdomains and either enough look encoded or data types
 * dominate with long names — so DNSBL lookups and CDN names (many, but short and plain) stay quiet.
 *
 * The registered domain is a small public-suffix heuristic (registeredDomain); names whose last
 * label cannot be a TLD (dnscat2 without a domain: `dnscat.<hex>.<hex>`) are grouped together as
 * `(no public suffix)`. Local names (mDNS `.local`, reverse `.arpa`) are not judged.
 */
import type { Flow } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { RaiseAlert } from '../detectionStage.ts';
import type { BehaviourConfig } from './behaviourConfig.ts';
import { behaviourAlert, flowTime } from './behaviourAlert.ts';
import { BEHAVIOUR_SIGNATURES } from './behaviourSids.ts';
import { LruTable } from './lruTable.ts';

/**
 * Second-level labels under which registrations sit one level deeper (example.co.jp): the
 * Japanese ones the sensor's users meet most, and the common ones abroad. Deliberately small: a
 * missing suffix only groups a few more names together.
 */
const SECOND_LEVEL_SUFFIXES: ReadonlySet<string> = new Set([
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp', 'ad.jp', 'ed.jp', 'gr.jp', 'lg.jp',
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'com.au', 'net.au', 'org.au', 'com.cn', 'com.tw', 'com.hk', 'co.kr', 'com.br', 'co.nz', 'co.in',
]);

export const NO_PUBLIC_SUFFIX = '(no public suffix)';
const DATA_TYPES: ReadonlySet<string> = new Set(['NULL', 'TXT', 'CNAME', 'MX', 'ANY', 'PRIVATE', 'KEY']);
const LOCAL_SUFFIXES = ['.local', '.arpa', '.localhost', '.home.arpa', '.lan', '.internal'];

/** Splits a query name into its registered domain and the subdomain labels before it. */
export function registeredDomain(name: string): { domain: string; subdomain: string } {
  const n = name.toLowerCase().replace(/\.$/, '');
  const labels = n.split('.');
  const tld = labels[labels.length - 1] ?? '';
  // A TLD is letters (or an IDN's xn--); hex or digits there means the name has no real domain.
  if (labels.length < 2 || !/^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld)) return { domain: NO_PUBLIC_SUFFIX, subdomain: n };
  const two = labels.slice(-2).join('.');
  const keep = labels.length >= 3 && SECOND_LEVEL_SUFFIXES.has(two) ? 3 : 2;
  return { domain: labels.slice(-keep).join('.'), subdomain: labels.slice(0, -keep).join('.') };
}

/** Shannon entropy of a string's characters, in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let e = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    e -= p * Math.log2(p);
  }
  return e;
}

interface Subdomain {
  sec: number;
  encoded: boolean;
  /** Asked at least once for a data-carrying type. */
  dataType: boolean;
  chars: number;
}

interface DomainWindow {
  /** Unique subdomains by a 32-bit hash of the name (a collision only undercounts), with the
   *  time last asked, oldest first: a flood of long names costs a few numbers each. */
  subdomains: Map<number, Subdomain>;
  encoded: number;
  dataType: number;
  chars: number;
  total: number;
  /** Packet second before which this (client, domain) does not alert again. */
  quietUntil: number;
}

/** FNV-1a, 32 bits. */
function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class DnsTunnelDetector {
  private readonly windows: LruTable<string, DomainWindow>;

  constructor(private readonly config: BehaviourConfig['dnsTunnel']) {
    this.windows = new LruTable(config.maxTracked);
  }

  get tracked(): number {
    return this.windows.size;
  }

  onAppRecord(record: AppRecordOut, raise: RaiseAlert): void {
    if (record.eventType !== 'dns' || record.direction !== 'toServer') return;
    const dns = record.fields.dns as { type?: string; queries?: { rrname?: string; rrtype?: string }[] } | undefined;
    if (dns?.type !== 'request' && dns?.type !== 'query') return;
    const f = record.flow;
    if (f.dstPort === 5353 || f.srcPort === 5353) return;
    for (const q of dns.queries ?? []) if (q.rrname !== undefined) this.query(f, q.rrname, q.rrtype ?? '', raise);
  }

  private query(f: Flow, rrname: string, rrtype: string, raise: RaiseAlert): void {
    const c = this.config;
    const lower = rrname.toLowerCase();
    if (LOCAL_SUFFIXES.some((s) => lower.endsWith(s))) return;
    const { domain, subdomain } = registeredDomain(rrname);
    if (subdomain === '') return;
    const sec = f.lastSec + f.lastNsec / 1e9;
    const key = `${f.srcIp}|${domain}`;
    const w = this.windows.obtain(key, () => ({ subdomains: new Map(), encoded: 0, dataType: 0, chars: 0, total: 0, quietUntil: -Infinity }));
    for (const [h, s] of w.subdomains) {
      if (s.sec > sec - c.windowSec) break;
      this.forget(w, h);
    }
    w.total++;
    const dataType = DATA_TYPES.has(rrtype);
    const h = nameHash(subdomain);
    const old = w.subdomains.get(h);
    if (old !== undefined) {
      w.subdomains.delete(h);
      old.sec = sec;
      if (dataType && !old.dataType) {
        old.dataType = true;
        w.dataType++;
      }
      w.subdomains.set(h, old);
    } else {
      const letters = subdomain.replace(/\./g, '');
      const encoded = letters.length > c.longSubdomainChars || (letters.length >= c.entropyMinChars && shannonEntropy(letters) >= c.entropyBits);
      if (w.subdomains.size >= c.maxSubdomainsPerEntry) {
        const oldest = w.subdomains.keys().next();
        if (!oldest.done) this.forget(w, oldest.value);
      }
      w.subdomains.set(h, { sec, encoded, dataType, chars: letters.length });
      if (encoded) w.encoded++;
      if (dataType) w.dataType++;
      w.chars += letters.length;
    }
    const unique = w.subdomains.size;
    if (unique < c.minUniqueSubdomains) return;
    const encodedFraction = w.encoded / unique;
    const dataTypeFraction = w.dataType / unique;
    const meanChars = w.chars / unique;
    const suspicious = encodedFraction >= c.minEncodedFraction || (dataTypeFraction >= c.minDataTypeFraction && meanChars >= c.minMeanSubdomainChars);
    if (!suspicious || f.lastSec < w.quietUntil) return;
    w.quietUntil = f.lastSec + c.realertSec;
    raise(
      behaviourAlert(
        BEHAVIOUR_SIGNATURES.dnsTunnel,
        f,
        {
          domain,
          unique_subdomains: unique,
          queries: w.total,
          encoded_fraction: encodedFraction.toFixed(2),
          data_type_fraction: dataTypeFraction.toFixed(2),
          mean_subdomain_chars: Math.round(meanChars),
          example_query: rrname.slice(0, 255),
          window_sec: c.windowSec,
        },
        flowTime(f),
      ),
    );
  }

  private forget(w: DomainWindow, h: number): void {
    const s = w.subdomains.get(h);
    if (s === undefined) return;
    w.subdomains.delete(h);
    if (s.encoded) w.encoded--;
    if (s.dataType) w.dataType--;
    w.chars -= s.chars;
  }
}
