/**
 * FTP data connections (Suricata's `ftp-data`): the control channel announces a data channel
 * (PORT/EPRT, 227/229) and then a command that uses it (RETR, STOR, STOU, APPE); together they
 * become an expectation — "a TCP connection from this address to that address and port will carry
 * this file, this way". A new TCP flow that matches one is `ftp-data` and its payload, in the
 * expected direction, is the file.
 *
 * As Suricata does, the addresses are the control connection's own, whatever the PORT/227 text
 * claims (NAT rewrites them; a hostile server could name a third host): only the port is taken from
 * the text. Expectations are bounded per control connection, in all, and in time.
 */
import type { Direction, FileDigests, FileHashAlgorithms } from '../appLayer.ts';
import { BodyStore, IncrementalFileHasher } from '../appLayer.ts';
import type { FtpDataChannel, FtpDataEvent } from './ftpControl.ts';

/** Expectations one control connection may have pending; past this the oldest is dropped. */
export const FTP_DATA_MAX_EXPECTATIONS_PER_CONTROL = 8;
/** Expectations pending in all; past this the oldest is dropped. */
export const FTP_DATA_MAX_EXPECTATIONS = 4096;
/** Seconds (packet time) an expectation waits for its data connection's first bytes. */
export const FTP_DATA_EXPECTATION_LIFETIME_SEC = 120;

/** Commands whose data connection carries a file, and which way it travels between the control
 *  connection's client and server. */
const FILE_COMMANDS: Readonly<Record<string, 'download' | 'upload'>> = { RETR: 'download', STOR: 'upload', STOU: 'upload', APPE: 'upload' };

/** The control connection's endpoints: its client (the FTP user agent) and its server. */
export interface FtpControlEndpoints {
  clientIp: string;
  serverIp: string;
}

export interface FtpDataExpectation {
  /** The address opening the data connection, the one it connects to, and that port. */
  initiatorIp: string;
  responderIp: string;
  responderPort: number;
  command: string;
  filename: string;
  /** The way the file travels on the data connection: `toServer` when its initiator sends it. */
  fileDirection: Direction;
  /** Packet second after which it no longer matches. */
  expiresSec: number;
  /** The control connection that announced it (any object identifying it). */
  owner: object;
}

/**
 * The expectation a transfer command makes of the data channel announced before it, or undefined
 * (no channel announced, or not a file command). Active mode (PORT/EPRT): the server connects to
 * the client. Passive (227/229): the client connects to the server.
 */
export function expectationFor(
  control: FtpControlEndpoints,
  channel: FtpDataChannel,
  command: string,
  filename: string,
  nowSec: number,
  owner: object,
): FtpDataExpectation | undefined {
  const kind = FILE_COMMANDS[command.toUpperCase()];
  if (kind === undefined) return undefined;
  const passive = channel.mode === 'passive';
  // Passive: the data initiator is the client, so a download travels toClient. Active: reversed.
  const initiatorSends = passive === (kind === 'upload');
  return {
    initiatorIp: passive ? control.clientIp : control.serverIp,
    responderIp: passive ? control.serverIp : control.clientIp,
    responderPort: channel.port,
    command: command.toUpperCase(),
    filename,
    fileDirection: initiatorSends ? 'toServer' : 'toClient',
    expiresSec: nowSec + FTP_DATA_EXPECTATION_LIFETIME_SEC,
    owner,
  };
}

function key(initiatorIp: string, responderIp: string, responderPort: number): string {
  return `${initiatorIp}|${responderIp}|${responderPort}`;
}

/**
 * The data channel announced on one control connection, until a command uses it: turns the control
 * channel's data events into expectations. Any data command (a listing too) uses up the channel.
 */
export class FtpDataChannelTracker {
  private channel: FtpDataChannel | undefined;

  constructor(
    private readonly control: FtpControlEndpoints,
    private readonly owner: object,
  ) {}

  event(ev: FtpDataEvent, nowSec: number): FtpDataExpectation | undefined {
    if (ev.kind === 'channel') {
      this.channel = ev.channel;
      return undefined;
    }
    const channel = this.channel;
    if (channel === undefined) return undefined;
    this.channel = undefined;
    return expectationFor(this.control, channel, ev.command, ev.argument, nowSec, this.owner);
  }
}

/** Every pending expectation of the sensor, looked up when a TCP flow sends its first bytes. */
export class FtpDataExpectations {
  /** By key, oldest first (a re-added key moves to the end). */
  private readonly byKey = new Map<string, FtpDataExpectation>();
  private readonly perOwner = new Map<object, FtpDataExpectation[]>();

  get size(): number {
    return this.byKey.size;
  }

  add(e: FtpDataExpectation, nowSec: number): void {
    this.expire(nowSec);
    const k = key(e.initiatorIp, e.responderIp, e.responderPort);
    const previous = this.byKey.get(k);
    if (previous !== undefined) this.remove(k, previous);
    let mine = this.perOwner.get(e.owner);
    if (mine === undefined) {
      mine = [];
      this.perOwner.set(e.owner, mine);
    }
    if (mine.length >= FTP_DATA_MAX_EXPECTATIONS_PER_CONTROL) {
      const oldest = mine[0]!;
      this.remove(key(oldest.initiatorIp, oldest.responderIp, oldest.responderPort), oldest);
    }
    if (this.byKey.size >= FTP_DATA_MAX_EXPECTATIONS) {
      const [oldestKey, oldest] = this.byKey.entries().next().value as [string, FtpDataExpectation];
      this.remove(oldestKey, oldest);
    }
    this.byKey.set(k, e);
    const list = this.perOwner.get(e.owner);
    if (list === undefined) this.perOwner.set(e.owner, [e]);
    else list.push(e);
  }

  /** The expectation a new connection from `initiatorIp` to `responderIp:responderPort` fulfils,
   *  removed (one connection per transfer); undefined when none or expired. */
  take(initiatorIp: string, responderIp: string, responderPort: number, nowSec: number): FtpDataExpectation | undefined {
    if (this.byKey.size === 0) return undefined;
    const k = key(initiatorIp, responderIp, responderPort);
    const e = this.byKey.get(k);
    if (e === undefined) return undefined;
    this.remove(k, e);
    return e.expiresSec >= nowSec ? e : undefined;
  }

  /** Drops the expired ones: they are oldest first, all having the same lifetime. */
  private expire(nowSec: number): void {
    for (const [k, e] of this.byKey) {
      if (e.expiresSec >= nowSec) break;
      this.remove(k, e);
    }
  }

  private remove(k: string, e: FtpDataExpectation): void {
    if (this.byKey.get(k) === e) this.byKey.delete(k);
    const mine = this.perOwner.get(e.owner);
    if (mine === undefined) return;
    const i = mine.indexOf(e);
    if (i >= 0) mine.splice(i, 1);
    if (mine.length === 0) this.perOwner.delete(e.owner);
  }
}

/** The file of one data connection when it ends. */
export interface FtpDataFile {
  filename: string;
  command: string;
  /** Bytes seen in the file's direction. */
  size: number;
  /** A gap in the capture, or longer than the hash limit: no digests. */
  truncated: boolean;
  gaps: boolean;
  digests?: FileDigests;
  /** The first `keepBytes` bytes (the whole file when `size` is no larger). */
  content: Uint8Array;
}

/**
 * The payload of an `ftp-data` connection, streamed into the file machinery the other protocols
 * use: hashed as it goes by (IncrementalFileHasher), the first `keepBytes` kept for scanners.
 * Bytes the other way (there should be none) are ignored.
 */
export class FtpDataTransfer {
  private readonly hasher: IncrementalFileHasher | null;
  private readonly store: BodyStore | null;
  private size = 0;
  private gaps = false;

  constructor(
    readonly expectation: FtpDataExpectation,
    hashes: FileHashAlgorithms | null,
    private readonly hashLimit: number,
    keepBytes: number,
  ) {
    this.hasher = hashes === null ? null : new IncrementalFileHasher(hashes, hashLimit);
    this.store = keepBytes > 0 ? new BodyStore(keepBytes) : null;
  }

  get fileDirection(): Direction {
    return this.expectation.fileDirection;
  }

  feed(direction: Direction, bytes: Uint8Array): void {
    if (direction !== this.expectation.fileDirection || bytes.length === 0) return;
    this.size += bytes.length;
    this.hasher?.update(bytes);
    this.store?.append(bytes);
  }

  gap(direction: Direction): void {
    if (direction === this.expectation.fileDirection) this.gaps = true;
  }

  finish(): FtpDataFile {
    const truncated = this.gaps || this.size > this.hashLimit;
    const file: FtpDataFile = {
      filename: this.expectation.filename,
      command: this.expectation.command,
      size: this.size,
      truncated,
      gaps: this.gaps,
      content: this.store?.bytes() ?? new Uint8Array(0),
    };
    const digests = this.hasher?.digest();
    if (!truncated && digests !== undefined) file.digests = digests;
    return file;
  }
}
