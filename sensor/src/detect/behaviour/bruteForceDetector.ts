/**
 * Password guessing against one server from one client, counted in a sliding window of packet time:
 * - SSH, RDP, SMB: each guess is a short TCP session (tools reconnect per attempt or per few
 *   attempts), judged when the flow ends from its packet and byte counts. SSH is recognised by its
 *   port or, on any port, by the banner the app layer logged (nmap's ssh-brute on 902).
 * - FTP: replies 530 (login incorrect) in the `ftp` records.
 * - HTTP: 401/403 answers to one host+path, or POSTs to a login path, in the `http` records.
 * One alert per (client, server, service) per realertSec; the alert's src is the guesser.
 */
import type { Flow } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { RaiseAlert } from '../detectionStage.ts';
import type { BehaviourConfig } from './behaviourConfig.ts';
import { behaviourAlert, flowTime } from './behaviourAlert.ts';
import type { BehaviourSignature } from './behaviourSids.ts';
import { BEHAVIOUR_SIGNATURES } from './behaviourSids.ts';
import { EventWindow, LruTable } from './lruTable.ts';

const PROTO_TCP = 6;
/** Attempt times kept per key: a little above any sensible threshold. */
const ATTEMPTS_KEPT = 1024;

type SessionService = 'ssh' | 'rdp' | 'smb';

interface Attempts {
  window: EventWindow;
  total: number;
  /** Packet second before which this key does not alert again. */
  quietUntil: number;
}

export class BruteForceDetector {
  private readonly attempts: LruTable<string, Attempts>;
  /** Flows the app layer identified as SSH (whatever their port). */
  private readonly sshFlows = new WeakSet<Flow>();
  private readonly loginPath: RegExp;
  private readonly portService = new Map<number, SessionService>();

  constructor(private readonly config: BehaviourConfig['bruteForce']) {
    this.attempts = new LruTable(config.maxTracked);
    this.loginPath = new RegExp(config.http.loginPathPattern, 'i');
    for (const s of ['smb', 'rdp', 'ssh'] as const) for (const p of config[s].ports) this.portService.set(p, s);
  }

  get tracked(): number {
    return this.attempts.size;
  }

  onAppRecord(record: AppRecordOut, raise: RaiseAlert): void {
    const f = record.flow;
    switch (record.eventType) {
      case 'ssh':
        this.sshFlows.add(f);
        return;
      case 'ftp': {
        const ftp = record.fields.ftp as { command?: string; completion_code?: string[] } | undefined;
        if (ftp?.completion_code?.includes('530') !== true) return;
        this.count(f, 'ftp', '', this.config.ftp.minFailures, BEHAVIOUR_SIGNATURES.bruteForceFtp, { failed_logins: 0 }, raise);
        return;
      }
      case 'http': {
        const http = record.fields.http as { hostname?: string; url?: string; http_method?: string; status?: number } | undefined;
        if (http === undefined) return;
        const path = (http.url ?? '').split('?')[0] ?? '';
        const refused = http.status === 401 || http.status === 403;
        const loginPost = http.http_method === 'POST' && this.loginPath.test(path);
        if (!refused && !loginPost) return;
        // Bounded: host and path are the attacker's to choose.
        const target = `${http.hostname ?? ''}${path}`.slice(0, 256);
        this.count(f, 'http', target, this.config.http.minFailures, BEHAVIOUR_SIGNATURES.bruteForceHttp, { attempts: 0, url: target }, raise);
        return;
      }
      default:
        return;
    }
  }

  onFlowEnd(flow: Flow, raise: RaiseAlert): void {
    if (flow.proto !== PROTO_TCP) return;
    const service = this.sshFlows.has(flow) ? 'ssh' : this.portService.get(flow.dstPort);
    if (service === undefined) return;
    const s = this.config[service];
    // A session that got past the handshake (a SYN probe of a scan is no login attempt), short and small.
    const attempt =
      flow.pktsToServer >= 3 && flow.pktsToClient >= 2 && flow.bytesToClient <= s.maxBytesToClient && flow.lastSec - flow.startSec <= s.maxSessionSec;
    if (!attempt) return;
    const sig = service === 'ssh' ? BEHAVIOUR_SIGNATURES.bruteForceSsh : service === 'rdp' ? BEHAVIOUR_SIGNATURES.bruteForceRdp : BEHAVIOUR_SIGNATURES.bruteForceSmb;
    this.count(flow, service, '', s.minAttempts, sig, { sessions: 0 }, raise);
  }

  /** Counts one attempt; `evidence`'s first key receives the count in the window. */
  private count(f: Flow, service: string, target: string, min: number, sig: BehaviourSignature, evidence: Record<string, string | number>, raise: RaiseAlert): void {
    const key = `${f.srcIp}>${f.dstIp}|${service}|${target}`;
    const a = this.attempts.obtain(key, () => ({ window: new EventWindow(ATTEMPTS_KEPT), total: 0, quietUntil: -Infinity }));
    a.total++;
    const n = a.window.add(f.lastSec, this.config.windowSec);
    if (n < min || f.lastSec < a.quietUntil) return;
    a.quietUntil = f.lastSec + this.config.realertSec;
    const first = Object.keys(evidence)[0]!;
    raise(
      behaviourAlert(
        sig,
        f,
        { ...evidence, [first]: n, service, server_port: f.dstPort, span_sec: f.lastSec - (a.window.first ?? f.lastSec), window_sec: this.config.windowSec },
        flowTime(f),
      ),
    );
  }
}
