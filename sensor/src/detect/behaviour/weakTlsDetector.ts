/**
 * Weak or doubtful TLS, from the `tls` record of each session (the handshake the app layer
 * logged): an obsolete version negotiated (the ServerHello's, so a client merely offering TLS 1.0
 * is fine), a weak cipher suite negotiated (NULL, EXPORT, RC4, DES, 3DES), a server certificate
 * outside its validity at the packet time, a self-signed server certificate (subject = issuer).
 * SSLv2, which the TLS parser does not follow, is recognised from the first bytes of the server's
 * stream (an SSLv2 SERVER-HELLO).
 *
 * Every finding is about the session, so the alert's src is the client (for an inside client that
 * is the inside host using weak crypto; for an inside server reached from outside, HOME_NET makes
 * the alert `inbound`). One alert per (client, server, port, finding) per realertSec.
 */
import type { Flow } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { RaiseAlert, StreamData } from '../detectionStage.ts';
import type { BehaviourConfig } from './behaviourConfig.ts';
import { behaviourAlert, flowTime } from './behaviourAlert.ts';
import type { Evidence } from './behaviourAlert.ts';
import type { BehaviourSignature } from './behaviourSids.ts';
import { BEHAVIOUR_SIGNATURES } from './behaviourSids.ts';
import { AlertGate } from './lruTable.ts';

/**
 * Weak suites by family, from the IANA TLS Cipher Suites registry (and the withdrawn
 * EXPORT1024 drafts still found in old stacks). Anything else is not judged here.
 */
const WEAK_CIPHER_FAMILIES: Record<string, readonly number[]> = {
  NULL: [0x0000, 0x0001, 0x0002, 0x002c, 0x002d, 0x002e, 0x003b, 0x00b0, 0x00b1, 0x00b4, 0x00b5, 0x00b8, 0x00b9, 0xc001, 0xc006, 0xc00b, 0xc010, 0xc015, 0xc039, 0xc03a, 0xc03b],
  EXPORT: [0x0003, 0x0006, 0x0008, 0x000b, 0x000e, 0x0011, 0x0014, 0x0017, 0x0019, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b, 0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065],
  RC4: [0x0004, 0x0005, 0x0018, 0x0020, 0x0024, 0x0066, 0x008a, 0x008e, 0x0092, 0xc002, 0xc007, 0xc00c, 0xc011, 0xc016, 0xc033],
  DES: [0x0009, 0x000c, 0x000f, 0x0012, 0x0015, 0x001a, 0x001e, 0x0022],
  '3DES': [0x000a, 0x000d, 0x0010, 0x0013, 0x0016, 0x001b, 0x001f, 0x0023, 0x008b, 0x008f, 0x0093, 0xc003, 0xc008, 0xc00d, 0xc012, 0xc017, 0xc01a, 0xc01b, 0xc01c, 0xc034],
};

const WEAK_CIPHERS = new Map<number, string>();
for (const [family, ids] of Object.entries(WEAK_CIPHER_FAMILIES)) for (const id of ids) WEAK_CIPHERS.set(id, family);

/** The weakness family of a negotiated suite (`RC4`, `3DES`…), undefined when not weak. */
export function weakCipherFamily(cipher: number): string | undefined {
  return WEAK_CIPHERS.get(cipher);
}

/** Seconds since the epoch of an EVE tls date (`2014-04-10T21:31:40`, UTC); NaN when unreadable. */
export function tlsDateSeconds(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
}

interface TlsEveFields {
  version?: string;
  sni?: string;
  subject?: string;
  issuerdn?: string;
  notbefore?: string;
  notafter?: string;
  fingerprint?: string;
  server_handshake?: { cipher?: number };
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

export class WeakTlsDetector {
  private readonly gate: AlertGate;
  private readonly weakVersions: ReadonlySet<string>;
  /** Flows whose server stream was looked at for SSLv2. */
  private readonly serverStreamSeen = new WeakSet<Flow>();

  constructor(private readonly config: BehaviourConfig['weakTls']) {
    this.gate = new AlertGate(config.realertSec, config.maxTracked);
    this.weakVersions = new Set(config.weakVersions);
  }

  onAppRecord(record: AppRecordOut, raise: RaiseAlert): void {
    if (record.eventType !== 'tls') return;
    const tls = record.fields.tls as TlsEveFields | undefined;
    if (tls === undefined) return;
    const f = record.flow;
    const base: Evidence = {};
    if (tls.sni !== undefined) base.sni = tls.sni;
    if (tls.version !== undefined && this.weakVersions.has(tls.version)) {
      this.alert(f, BEHAVIOUR_SIGNATURES.weakTlsVersion, tls.version, { ...base, tls_version: tls.version }, raise);
    }
    const cipher = tls.server_handshake?.cipher;
    if (this.config.checkCiphers && cipher !== undefined) {
      const family = weakCipherFamily(cipher);
      if (family !== undefined) this.alert(f, BEHAVIOUR_SIGNATURES.weakTlsCipher, hex4(cipher), { ...base, cipher_suite: hex4(cipher), cipher_family: family }, raise);
    }
    if (tls.subject === undefined) return;
    const cert: Evidence = { ...base, subject: tls.subject, issuer: tls.issuerdn ?? '' };
    if (tls.fingerprint !== undefined) cert.fingerprint = tls.fingerprint;
    if (this.config.checkExpired && tls.notafter !== undefined && tls.notbefore !== undefined) {
      const now = f.lastSec;
      const notAfter = tlsDateSeconds(tls.notafter);
      const notBefore = tlsDateSeconds(tls.notbefore);
      if (now > notAfter || now < notBefore) {
        this.alert(f, BEHAVIOUR_SIGNATURES.tlsExpiredCertificate, tls.fingerprint ?? tls.subject, { ...cert, notbefore: tls.notbefore, notafter: tls.notafter }, raise);
      }
    }
    if (this.config.checkSelfSigned && tls.issuerdn !== undefined && tls.subject === tls.issuerdn) {
      this.alert(f, BEHAVIOUR_SIGNATURES.tlsSelfSignedCertificate, tls.fingerprint ?? tls.subject, cert, raise);
    }
  }

  /** SSLv2: the server's first bytes are an SSLv2 SERVER-HELLO (2-byte header with the high bit,
   *  message type 4, version 0x0002 at offset 5). */
  onStream(data: StreamData, raise: RaiseAlert): void {
    if (data.direction !== 'toClient' || data.flow.proto !== 6 || !this.weakVersions.has('SSLv2')) return;
    const f = data.flow;
    if (this.serverStreamSeen.has(f)) return;
    this.serverStreamSeen.add(f);
    const b = data.data;
    if (b.length >= 7 && (b[0]! & 0x80) !== 0 && b[2] === 4 && b[5] === 0x00 && b[6] === 0x02) {
      this.alert(f, BEHAVIOUR_SIGNATURES.weakTlsVersion, 'SSLv2', { tls_version: 'SSLv2' }, raise);
    }
  }

  private alert(f: Flow, sig: BehaviourSignature, finding: string, evidence: Evidence, raise: RaiseAlert): void {
    if (!this.gate.allow(`${sig.signatureId}|${f.srcIp}>${f.dstIp}:${f.dstPort}|${finding}`, f.lastSec)) return;
    raise(behaviourAlert(sig, f, { ...evidence, server_port: f.dstPort }, flowTime(f)));
  }
}
