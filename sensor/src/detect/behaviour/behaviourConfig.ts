/**
 * Thresholds of the behaviour detectors. Every duration is packet time in seconds. Defaults follow
 * long-used IDS practice (Zeek's scan and brute-force policies, Suricata's thresholds) tuned on the
 * real captures in ../shared/data/pcaps so the attack captures alert and the ordinary ones do not.
 *
 * `parseBehaviourConfig` accepts a partial object (missing keys take the defaults) and rejects
 * unknown keys, so a misspelt threshold is an error naming it rather than a silent default.
 */
import { z } from 'zod';

const seconds = z.number().positive();
const count = z.number().int().min(1);
const fraction = z.number().min(0).max(1);
const capacity = z.number().int().min(16).max(10_000_000);
const port = z.number().int().min(0).max(65535);

const scanSchema = z.strictObject({
  /** s. Zeek's Scan::scan_interval: slow scans spread over minutes still fall in one window. */
  windowSec: seconds.default(300),
  /** distinct destination ports on one host. Zeek's port_scan_threshold (15): clients rarely
   *  touch more than a handful of ports on one server. */
  minPorts: count.default(15),
  /** distinct hosts on one port. Zeek's addr_scan_threshold (25). */
  minHosts: count.default(25),
  /** fraction (0–1) of the probes that got no answer with data (TCP: no payload either way; UDP,
   *  ICMP: no reply). Scans mostly hit closed ports; a busy client mostly gets answers. */
  minUnansweredFraction: fraction.default(0.8),
  /** s. A scan still running after this raises one more alert, not one per probe. */
  realertSec: seconds.default(3600),
  /** (actor, host) and (actor, port) entries tracked, oldest forgotten first. */
  maxTracked: capacity.default(20_000),
  /** ports or hosts remembered per entry; well above the thresholds, a flood only makes it forget. */
  maxTargetsPerEntry: count.default(1024),
});

const sessionServiceSchema = (ports: number[], maxBytesToClient: number) =>
  z.strictObject({
    /** TCP ports of the service (SSH is also recognised on any port by its banner). */
    ports: z.array(port).default(ports),
    /** sessions within windowSec from one client to one server. Zeek flags SSH guessing at 30;
     *  10 keeps sshguess (11 sessions) and still needs more than a few typos. */
    minAttempts: count.default(10),
    /** bytes. A login attempt that failed ends with little sent back; a real session sends more. */
    maxBytesToClient: count.default(maxBytesToClient),
    /** s. An attempt is a short session. */
    maxSessionSec: seconds.default(30),
  });

const bruteForceSchema = z.strictObject({
  /** s. Zeek's FTP::bruteforce_measurement_interval is 15 min; guessing tools are faster. */
  windowSec: seconds.default(300),
  /** s. One alert per (client, server, service) per this time. */
  realertSec: seconds.default(3600),
  /** (client, server, service) entries tracked. */
  maxTracked: capacity.default(10_000),
  /** A failed SSH login session carries ~3–4 KB to the client (key exchange + refusals). */
  ssh: sessionServiceSchema([22], 10_000).prefault({}),
  /** RDP with NLA: the CredSSP exchange of a refused login stays well under 30 KB. */
  rdp: sessionServiceSchema([3389], 30_000).prefault({}),
  /** SMB: negotiate + session setup refused; a real session transfers far more. */
  smb: sessionServiceSchema([445, 139], 30_000).prefault({}),
  ftp: z
    .strictObject({
      /** 530 replies (login incorrect) within windowSec. Zeek's FTP::bruteforce_threshold is 20. */
      minFailures: count.default(10),
    })
    .prefault({}),
  http: z
    .strictObject({
      /** 401/403 answers to one host+path, or POSTs to a login path, within windowSec. */
      minFailures: count.default(10),
      /** Case-insensitive regular expression matched against the URL path of POSTs. */
      loginPathPattern: z
        .string()
        .min(1)
        .refine((s) => {
          try {
            new RegExp(s, 'i');
            return true;
          } catch {
            return false;
          }
        }, 'not a valid regular expression')
        .default('(log-?in|log-?on|sign-?in|wp-login\\.php|auth|session)'),
    })
    .prefault({}),
});

const weakTlsSchema = z.strictObject({
  /** Negotiated versions (EVE names) counted obsolete: broken (SSLv2/3) or deprecated by RFC 8996. */
  weakVersions: z.array(z.string().min(1)).default(['SSLv2', 'SSLv3', 'TLSv1', 'TLS 1.1']),
  /** Negotiated NULL/EXPORT/RC4/DES/3DES suites (IANA registry families). */
  checkCiphers: z.boolean().default(true),
  /** Server certificate outside notBefore–notAfter at packet time. */
  checkExpired: z.boolean().default(true),
  /** Server certificate whose subject is its issuer (no CA vouches for it). */
  checkSelfSigned: z.boolean().default(true),
  /** s. Each client–server pair alerts once a day per finding: the finding does not change. */
  realertSec: seconds.default(86_400),
  /** (finding, client, server) keys remembered for realertSec. */
  maxTracked: capacity.default(10_000),
});

const cleartextSchema = z.strictObject({
  /** TCP ports read as Telnet / POP3 / IMAP (their IANA ports; the app layer does not detect them). */
  telnetPorts: z.array(port).default([23]),
  pop3Ports: z.array(port).default([110]),
  imapPorts: z.array(port).default([143]),
  /** bytes of each flow's client data searched for HTTP Basic headers and login lines: enough for
   *  the first requests; bulk uploads are not scanned to the end. */
  scanBytesPerFlow: count.default(65_536),
  /** User names that are no secret (anonymous FTP). Compared case-insensitively. */
  ignoreUsers: z.array(z.string()).default(['anonymous', 'ftp']),
  /** s. One alert per (client, server, protocol) per this time. */
  realertSec: seconds.default(3600),
  /** (client, server, protocol) keys remembered for realertSec. */
  maxTracked: capacity.default(10_000),
});

const dnsTunnelSchema = z.strictObject({
  /** s. Tunnels query continuously; five minutes holds hundreds of their queries. */
  windowSec: seconds.default(300),
  /** distinct subdomains of one registered domain from one client within windowSec. The tunnels
   *  in the captures show 150–222; a busy CDN client or DNSBL lookups reach this too, hence the
   *  encoding tests below. */
  minUniqueSubdomains: count.default(30),
  /** characters (labels, without dots) beyond which a subdomain counts as encoded data. */
  longSubdomainChars: count.default(52),
  /** bits per character (Shannon) at or above which a subdomain looks encoded. Words and
   *  host names stay under ~3.3; hex sits near 3.8, base32 near 4.5. */
  entropyBits: z.number().min(0).max(8).default(3.5),
  /** characters: entropy is only meaningful on a subdomain at least this long. */
  entropyMinChars: count.default(16),
  /** fraction of the unique subdomains that look encoded (long or high entropy). */
  minEncodedFraction: fraction.default(0.25),
  /** fraction of the unique subdomains asked for data-carrying types (NULL, TXT, CNAME, MX, ANY,
   *  KEY, PRIVATE) — iodine uses NULL, dnscat TXT/CNAME/MX; browsers ask A/AAAA/HTTPS. */
  minDataTypeFraction: fraction.default(0.5),
  /** characters: with the data-type test, the mean subdomain length must reach this, so DNSBL
   *  TXT lookups (reversed IPv4, ≤ 15) stay quiet. */
  minMeanSubdomainChars: count.default(20),
  /** s. One alert per (client, domain) per hour while the tunnel runs. */
  realertSec: seconds.default(3600),
  /** (client, domain) entries tracked. */
  maxTracked: capacity.default(4096),
  /** distinct subdomains remembered per (client, domain), as hashes: 4096 × 128 stays ~40 MB
   *  under a flood of random names. Well above minUniqueSubdomains. */
  maxSubdomainsPerEntry: count.default(128),
});

const beaconingSchema = z.strictObject({
  /** connections from one inside host to one outside ip:port before regularity is judged. */
  minConnections: count.default(10),
  /** coefficient of variation (stddev / mean) of the intervals below which they are "regular".
   *  Scheduled malware check-ins sit under 0.1 even with jitter of ±10 %; people are irregular. */
  maxIntervalCv: fraction.default(0.15),
  /** s. Mean interval at least this: parallel connections of a browser come milliseconds apart. */
  minIntervalSec: seconds.default(1),
  /** s. Intervals longer than this are not followed (a day). */
  maxIntervalSec: seconds.default(86_400),
  /** intervals kept per pair (the latest ones decide). */
  history: count.default(32),
  /** Destination ports of services that are regular by design (DNS, NTP, mDNS). */
  ignorePorts: z.array(port).default([53, 123, 5353]),
  /** s. A beacon keeps beating: one alert per pair per hour. */
  realertSec: seconds.default(3600),
  /** (inside host, peer, port) pairs followed, oldest forgotten first. */
  maxTracked: capacity.default(10_000),
});

export const behaviourConfigSchema = z.strictObject({
  scan: scanSchema.prefault({}),
  bruteForce: bruteForceSchema.prefault({}),
  weakTls: weakTlsSchema.prefault({}),
  cleartextCredentials: cleartextSchema.prefault({}),
  dnsTunnel: dnsTunnelSchema.prefault({}),
  beaconing: beaconingSchema.prefault({}),
});

export type BehaviourConfig = z.infer<typeof behaviourConfigSchema>;

export class BehaviourConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid behaviour detector configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n(fix these keys or remove them to use the defaults)`);
    this.name = 'BehaviourConfigError';
  }
}

/** Parses a (partial) configuration; every bad key is listed by its path, e.g. `scan.minPorts`. */
export function parseBehaviourConfig(json: unknown): BehaviourConfig {
  const r = behaviourConfigSchema.safeParse(json ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      const keys = i.keys.map((k) => (path === '' ? k : `${path}.${k}`));
      return `${keys.join(', ')}: unknown key`;
    }
    return `${path === '' ? '(root)' : path}: ${i.message}`;
  });
  throw new BehaviourConfigError(problems);
}

export const DEFAULT_BEHAVIOUR_CONFIG: BehaviourConfig = parseBehaviourConfig({});
