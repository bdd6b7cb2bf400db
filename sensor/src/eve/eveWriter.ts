/**
 * Serialises EVE records as JSON lines with Suricata's field order, to a sink. No I/O here: the
 * file or stdout sink lives at the CLI edge, tests collect lines in an array.
 */
import type { EveRecord, EveStats, EveStatsRecord, EveStatsTree } from './eveEvent.ts';
import type { EveValidation, EveValidator } from './eveSchema.ts';

/** Receives one JSON document per call, without the line terminator (the sink adds "\n"). */
export interface EveSink {
  write(line: string): void;
}

/**
 * The order in which Suricata writes the header fields (output-json.c); the event's own payload
 * (`alert`, `dns`…) follows them, then every other field in the order the record holds it.
 */
const HEADER_ORDER = [
  'timestamp',
  'flow_id',
  'parent_id',
  'in_iface',
  'pcap_cnt',
  'event_type',
  'vlan',
  'src_ip',
  'src_port',
  'dest_ip',
  'dest_port',
  'ip_v',
  'proto',
  'icmp_type',
  'icmp_code',
  'response_icmp_type',
  'response_icmp_code',
  'pkt_src',
  'community_id',
  'tx_id',
] as const;
const HEADER_FIELDS: ReadonlySet<string> = new Set(HEADER_ORDER);
const HEADER_RANK: ReadonlyMap<string, number> = new Map(HEADER_ORDER.map((name, i) => [name, i]));

/**
 * True when the record's own keys (those with a defined value) already come in the order
 * serializeEveRecord writes: header fields in HEADER_ORDER, then the payload, then the rest. The
 * pipeline builds its records that way, so they can go to JSON.stringify whole, in one native
 * call instead of one per field.
 */
function inWriteOrder(fields: Readonly<Record<string, unknown>>, payloadName: string | undefined): boolean {
  const payloadDefined = payloadName !== undefined && fields[payloadName] !== undefined;
  let lastRank = -1;
  let pastHeader = false;
  for (const name of Object.keys(fields)) {
    if (fields[name] === undefined) continue;
    const rank = HEADER_RANK.get(name);
    if (rank !== undefined) {
      if (pastHeader || rank < lastRank) return false;
      lastRank = rank;
    } else if (name === payloadName) {
      if (pastHeader) return false;
      pastHeader = true;
    } else {
      if (payloadDefined && !pastHeader) return false;
      pastHeader = true;
    }
  }
  return true;
}

/** One JSON line, Suricata's field order, no whitespace; `undefined` fields are left out. */
export function serializeEveRecord(record: EveRecord | Readonly<Record<string, unknown>>): string {
  const fields = record as Readonly<Record<string, unknown>>;
  const type = fields.event_type;
  const payload = typeof type === 'string' && !HEADER_FIELDS.has(type) ? type : undefined;
  if (inWriteOrder(fields, payload)) return JSON.stringify(fields);
  const parts: string[] = [];
  for (const name of HEADER_ORDER) {
    const value = fields[name];
    if (value !== undefined) parts.push(`"${name}":${JSON.stringify(value)}`);
  }
  const eventType = fields.event_type;
  const payloadName = typeof eventType === 'string' && !HEADER_FIELDS.has(eventType) ? eventType : undefined;
  if (payloadName !== undefined && fields[payloadName] !== undefined) {
    parts.push(`${JSON.stringify(payloadName)}:${JSON.stringify(fields[payloadName])}`);
  }
  for (const name of Object.keys(fields)) {
    if (HEADER_FIELDS.has(name) || name === payloadName) continue;
    const value = fields[name];
    if (value !== undefined) parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}

export class EveRecordInvalidError extends Error {
  readonly errors: readonly string[];
  constructor(eventType: unknown, errors: readonly string[]) {
    super(`EVE ${String(eventType)} record breaks the schema: ${errors.join('; ')}`);
    this.name = 'EveRecordInvalidError';
    this.errors = errors;
  }
}

export interface EveWriterOptions {
  /** Checks every record before writing (tests, conformance runs); off in production for speed. */
  validator?: Pick<EveValidator, 'validate'>;
  /** Called for a record the validator rejects (it is not written); without it the writer throws. */
  onInvalid?: (record: EveRecord, errors: readonly string[]) => void;
}

/** Writes records to a sink, one line each; counts what it wrote. */
export class EveWriter {
  private readonly sink: EveSink;
  private readonly options: EveWriterOptions;
  private written = 0;

  constructor(sink: EveSink, options: EveWriterOptions = {}) {
    this.sink = sink;
    this.options = options;
  }

  get recordsWritten(): number {
    return this.written;
  }

  write(record: EveRecord): void {
    if (this.options.validator !== undefined) {
      const result: EveValidation = this.options.validator.validate(record);
      if (!result.ok) {
        if (this.options.onInvalid === undefined) throw new EveRecordInvalidError(record.event_type, result.errors);
        this.options.onInvalid(record, result.errors);
        return;
      }
    }
    this.sink.write(serializeEveRecord(record));
    this.written += 1;
  }
}

/** A sink that keeps the lines in memory (tests, the conformance harness). */
export class MemoryEveSink implements EveSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

/**
 * `2009-10-16T16:44:16.083524+0000` from a packet time in UTC, the format of `timestamp` and
 * `flow.start`/`flow.end` (suricata-verify runs Suricata with TZ=UTC).
 */
export function formatEveTimestamp(epochSeconds: number, microseconds: number): string {
  const date = new Date(Math.floor(epochSeconds) * 1000);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    `.${pad(Math.trunc(microseconds), 6)}+0000`
  );
}

export interface StatsRecordInput {
  timestamp: string;
  /** Seconds since the sensor started (in pcap mode: since the first packet). */
  uptime: number;
  /** Counters by dotted name, as Suricata names them: `decoder.pkts`, `app_layer.flow.dns_udp`. */
  counters: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Counter names the schema allows (statsCounterPaths); others are dropped and reported. */
  allowedCounters?: ReadonlySet<string>;
}

export interface StatsRecordBuild {
  record: EveStatsRecord;
  /** Counters left out, with the reason, so a new counter never silently breaks the schema. */
  dropped: string[];
}

/** Builds Suricata's `stats` record: `{timestamp, event_type: "stats", stats: {uptime, decoder: {…}, …}}`. */
export function buildStatsRecord(input: StatsRecordInput): StatsRecordBuild {
  const stats: EveStats = { uptime: Math.trunc(input.uptime) };
  const dropped: string[] = [];
  const entries = input.counters instanceof Map ? [...input.counters.entries()] : Object.entries(input.counters);
  for (const [name, value] of entries) {
    if (name === 'uptime') continue;
    if (input.allowedCounters !== undefined && !input.allowedCounters.has(name)) {
      dropped.push(`${name}: not a counter of the EVE schema`);
      continue;
    }
    if (!Number.isSafeInteger(value)) {
      dropped.push(`${name}: ${value} is not an integer`);
      continue;
    }
    const placed = placeCounter(stats, name.split('.'), value);
    if (!placed) dropped.push(`${name}: clashes with another counter's path`);
  }
  return { record: { timestamp: input.timestamp, event_type: 'stats', stats }, dropped };
}

function placeCounter(tree: EveStatsTree, path: string[], value: number): boolean {
  let node = tree;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i] as string;
    const next = node[segment];
    if (next === undefined) {
      const child: EveStatsTree = {};
      node[segment] = child;
      node = child;
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      node = next;
    } else {
      return false;
    }
  }
  const leaf = path[path.length - 1] as string;
  if (leaf === '' || node[leaf] !== undefined) return false;
  node[leaf] = value;
  return true;
}
