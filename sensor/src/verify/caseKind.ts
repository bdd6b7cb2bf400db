/**
 * Sorts suricata-verify cases by what their checks look at. A 'logging-only' case checks only the
 * protocol, flow, file, anomaly and stats records the sensor logs without any rule firing, so it
 * can pass before the detection engine exists; an 'alert' case checks alerts; 'other' checks record
 * types the sensor does not write (drop, dhcp, smb…) or writes only for rules (metadata).
 */
import { isDict, pythonStr } from './pythonValues.ts';
import type { VerifyCase } from './testCase.ts';

export type VerifyCaseKind = 'logging-only' | 'alert' | 'other';

/** Record types the sensor logs by itself (no rule involved). */
export const LOGGING_EVENT_TYPES: ReadonlySet<string> = new Set([
  'anomaly',
  'dns',
  'email',
  'fileinfo',
  'flow',
  'ftp',
  'http',
  'netflow',
  'quic',
  'smtp',
  'ssh',
  'stats',
  'tls',
]);

/** Payload keys of EVE records that name their event type (`alert.signature_id` → alert). */
const PAYLOAD_EVENT_TYPES: ReadonlySet<string> = new Set([
  ...LOGGING_EVENT_TYPES,
  'alert',
  'drop',
  'netflow',
  'metadata',
  'quic',
  'dhcp',
  'smb',
  'krb5',
  'nfs',
  'rdp',
  'sip',
  'snmp',
  'mqtt',
  'ike',
  'pgsql',
  'frame',
]);

function payloadTypeOf(path: string): string | undefined {
  const head = path.split('.')[0]?.replace(/\[\d+\]$/, '') ?? '';
  return PAYLOAD_EVENT_TYPES.has(head) ? head : undefined;
}

/**
 * The event types a list of checks looks at: a filter's `event_type` when it names one, else the
 * payloads its keys reach into (`dns.type` → dns, `has-key: alert.engine` → alert); `stats`
 * checks look at stats. A filter with neither (only `pcap_cnt`, say) adds nothing.
 */
export function eventTypesChecked(checks: readonly unknown[]): Set<string> {
  const types = new Set<string>();
  for (const entry of checks) {
    if (!isDict(entry)) continue;
    if (entry.stats !== undefined) types.add('stats');
    const filter = entry.filter;
    if (!isDict(filter) || !isDict(filter.match)) continue;
    const match = filter.match;
    if (typeof match.event_type === 'string') {
      types.add(match.event_type);
      continue;
    }
    for (const [key, value] of Object.entries(match)) {
      const paths = key === 'has-key' || key === 'not-has-key' ? (Array.isArray(value) ? value : [value]).map(pythonStr) : [key];
      for (const path of paths) {
        const type = payloadTypeOf(path);
        if (type !== undefined) types.add(type);
      }
    }
  }
  return types;
}

export function classifyChecks(checks: readonly unknown[]): { kind: VerifyCaseKind; eventTypes: string[] } {
  const eventTypes = [...eventTypesChecked(checks)].sort();
  if (eventTypes.includes('alert')) return { kind: 'alert', eventTypes };
  if (eventTypes.every((type) => LOGGING_EVENT_TYPES.has(type))) return { kind: 'logging-only', eventTypes };
  return { kind: 'other', eventTypes };
}

export interface ClassifiedCase {
  name: string;
  kind: VerifyCaseKind;
  eventTypes: string[];
  /** Whether the harness would run it (else the skip or failure reason). */
  runnable: boolean;
  reason: string | undefined;
}

export function classifyVerifyCase(verifyCase: VerifyCase): ClassifiedCase {
  const { kind, eventTypes } = classifyChecks(verifyCase.checks);
  const applicability = verifyCase.applicability;
  return {
    name: verifyCase.name,
    kind,
    eventTypes,
    runnable: applicability.runnable,
    reason: applicability.runnable ? undefined : applicability.reason,
  };
}

/**
 * The logging-only cases of ../shared/data/suricata-verify (computed by classifyVerifyCase; the
 * test keeps this list equal to the data). Target: every one passes once the pipeline is wired.
 */
export const LOGGING_ONLY_CASES: readonly string[] = [
  'bug-2646-01',
  'community-id-ipv4',
  'community-id-ipv6',
  'dns-udp-nxdomain-soa',
  'dns/dns-eve',
  'dns/dns-tcp-www-google-com',
  'dns/dns-udp-eve-dig',
  'eve-flow-vlan',
  'http-all-headers',
  'ja4-tls',
  'output-eve-fileinfo',
  'tls/tls13-draft28',
];

/**
 * The alert cases the rule engine passes today (the suricata-verify test keeps them passing): all
 * 47 runnable ones. The others are skipped for what the sensor is not (IPS mode, Lua, Suricata 9).
 */
export const ALERT_CASES_PASSING: readonly string[] = [
  'alert-distance-within-1', 'alert-no-3whs-established', 'alert-testmyids', 'alert-testmyids-not-established', 'bug-5197', 'byte-extract-01',
  'detect-bidir-ja3', 'detect-bytetest-01', 'detect-dotprefix-01', 'detect-flowbits', 'like-ip-only-01', 'detect-icmp-id-01', 'detect-itype', 'detect-pcre/detect-pcre-01',
  'detect-pcre/detect-pcre-03', 'dns/dns-query/dns-detect-query-01', 'dns/dns-query/dns-detect-query-02', 'dns/dns-rcode', 'dns/dns-rrtype',
  'filemd5', 'flowbit-oring', 'http-ipv6', 'http-post-file', 'http-request-header', 'http-sticky-start', 'test-dsize-values',
  'threshold-config-byrule', 'threshold/detection_filter-rule-hostsrc', 'threshold/threshold-rule-flow', 'tls-alpn-log-detect-02',
  'tls-duplicate-hello', 'tls/tls-client-hello-frag-01', 'tls/tls-fingerprint-alert', 'tls/tls-glupteba',
  // App layer: the response so far on a mid-transaction alert, `http.length` 0 without a response, a
  // request head cut short at the end of the capture.
  'bug-78-uricontent', 'bug-814', 'http-request-line',
  // vlan.use-for-tracking, vlan.id, ipv6.hdr, DNS name buffers, ssl_version per direction, payload
  // beside a DNS buffer, flowbits/pcre captures in EVE metadata with netflow, datasets, datarep, QUIC.
  'bug-4376', 'detect-vlan-id', 'eve-ip-version-6', 'dns/dns-answer-name', 'ssl_version_negated', 'bug-2158', 'eve-metadata',
  'datasets-04-http-dns', 'datarep-01', 'ja4-rules',
];
