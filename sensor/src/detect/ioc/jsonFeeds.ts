/**
 * The JSON feed formats, told apart by their shape once parsed: STIX 2.1 bundles, MISP events
 * (attributes with `to_ids` only — the rest is context, not something to alert on), the MISP feed
 * manifest (which only lists events: the loader reads them from the feed's directory), and
 * ThreatFox's JSON export (`{"<id>": [{ioc_value, ioc_type…}]}`) or API answer (`{data: […]}`).
 */
import type { IocEntry, IocType } from './iocValue.ts';
import { normaliseIocValue, stripIpPort } from './iocValue.ts';
import type { FeedContext, IocFormat } from './lineFormats.ts';
import { cleanFeedField, confidenceOf, emitThreatFox, tagList } from './lineFormats.ts';
import { parseStixBundle } from './stixFeed.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which JSON format a parsed document is, or undefined when none. */
export function jsonFeedFormat(doc: unknown): IocFormat | undefined {
  if (isObject(doc)) {
    if (doc.type === 'bundle' || Array.isArray(doc.objects)) return 'stix2';
    if (isObject(doc.Event) || Array.isArray(doc.response)) return 'misp-event';
    if (Array.isArray(doc.data) && typeof doc.query_status === 'string') return 'threatfox-json';
    const values = Object.values(doc);
    if (values.length === 0) return undefined;
    const firstValue = values[0];
    if (Array.isArray(firstValue) && isObject(firstValue[0]) && 'ioc_value' in firstValue[0]) return 'threatfox-json';
    if (isObject(firstValue) && ('info' in firstValue || 'Orgc' in firstValue)) return 'misp-manifest';
    return undefined;
  }
  if (Array.isArray(doc)) {
    if (isObject(doc[0]) && isObject(doc[0].Event)) return 'misp-event';
    if (isObject(doc[0]) && typeof doc[0].type === 'string' && typeof doc[0].id === 'string') return 'stix2';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// ThreatFox JSON

export function parseThreatFoxJson(doc: unknown, ctx: FeedContext): void {
  const rows: { key: string; row: Json }[] = [];
  if (isObject(doc) && Array.isArray(doc.data)) {
    doc.data.forEach((r, i) => {
      if (isObject(r)) rows.push({ key: `data[${i}]`, row: r });
    });
  } else if (isObject(doc)) {
    for (const [id, list] of Object.entries(doc)) {
      if (!Array.isArray(list)) continue;
      for (const r of list) if (isObject(r)) rows.push({ key: id, row: r });
    }
  }
  for (const { key, row } of rows) {
    const s = (v: unknown): string | undefined => (typeof v === 'string' ? cleanFeedField(v) : undefined);
    const tags = Array.isArray(row.tags) ? row.tags.filter((t): t is string => typeof t === 'string') : tagList(s(row.tags));
    emitThreatFox(ctx, 0, {
      value: s(row.ioc_value) ?? s(row.ioc),
      type: s(row.ioc_type),
      threat: s(row.threat_type),
      malware: s(row.malware_printable) ?? s(row.malware),
      tags: tags !== undefined && tags.length > 0 ? tags : undefined,
      confidence: confidenceOf(typeof row.confidence_level === 'number' || typeof row.confidence_level === 'string' ? row.confidence_level : undefined),
    }, `IOC ${key}: `);
  }
}

// ---------------------------------------------------------------------------------------------
// MISP

/** MISP attribute types the sensor matches; composite `a|b` types name each half. */
const MISP_TYPES: Record<string, (IocType | null)[]> = {
  'ip-dst': ['ip'], 'ip-src': ['ip'], 'ip-dst|port': ['ip', null], 'ip-src|port': ['ip', null],
  domain: ['domain'], hostname: ['domain'], 'domain|ip': ['domain', 'ip'], 'hostname|port': ['domain', null],
  url: ['url'],
  md5: ['md5'], sha1: ['sha1'], sha256: ['sha256'],
  'filename|md5': [null, 'md5'], 'filename|sha1': [null, 'sha1'], 'filename|sha256': [null, 'sha256'],
  'ja3-fingerprint-md5': ['ja3'], 'x509-fingerprint-sha1': ['cert-sha1'],
};

function toIds(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true' || v === 'True';
}

function tagNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((t) => (isObject(t) && typeof t.name === 'string' ? t.name : undefined)).filter((t): t is string => t !== undefined);
}

/** Attributes of one MISP event (`{Event: {…}}`). */
function parseMispEvent(event: Json, ctx: FeedContext, where: string): void {
  const tags = tagNames(event.Tag);
  // Galaxy tags name the family: misp-galaxy:malpedia="Emotet".
  const galaxy = tags.map((t) => /^misp-galaxy:[^=]+="(.+)"$/.exec(t)?.[1]).find((x) => x !== undefined);
  const plainTags = tags.filter((t) => !t.startsWith('misp-galaxy:')).slice(0, 10);
  const extra: Omit<IocEntry, 'type' | 'value' | 'feed'> = {};
  const info = typeof event.info === 'string' ? event.info.trim().slice(0, 200) : '';
  if (info !== '') extra.threat = info;
  if (galaxy !== undefined) extra.malware = galaxy;
  if (plainTags.length > 0) extra.tags = plainTags;
  const attributes: Json[] = [];
  const collect = (list: unknown): void => {
    if (Array.isArray(list)) for (const a of list) if (isObject(a)) attributes.push(a);
  };
  collect(event.Attribute);
  if (Array.isArray(event.Object)) for (const o of event.Object) if (isObject(o)) collect(o.Attribute);
  for (const a of attributes) {
    if (a.deleted === true) continue;
    if (!toIds(a.to_ids)) {
      ctx.sink.skip('MISP attribute without to_ids');
      continue;
    }
    const type = typeof a.type === 'string' ? a.type : '';
    const value = typeof a.value === 'string' ? a.value : '';
    const kinds = MISP_TYPES[type];
    if (kinds === undefined) {
      ctx.sink.skip(`MISP attribute type ${type || '(none)'} is not matched by the sensor`);
      continue;
    }
    const parts = kinds.length === 1 ? [value] : value.split('|');
    if (parts.length !== kinds.length) {
      ctx.sink.error(0, `${where}attribute ${String(a.uuid ?? '')} of type ${type} is not "a|b": ${value.slice(0, 80)}`);
      continue;
    }
    kinds.forEach((kind, i) => {
      if (kind === null) return;
      const raw = kind === 'ip' ? stripIpPort(parts[i]!) : parts[i]!;
      const n = normaliseIocValue(kind, raw);
      if (!n.ok) ctx.sink.error(0, `${where}attribute ${String(a.uuid ?? '')}: ${n.reason}`);
      else ctx.sink.entry({ type: kind, value: n.value, feed: ctx.feed, ...extra });
    });
  }
}

/** A MISP event file (`{Event}`), a REST search answer (`{response: [{Event}]}`) or a list of events. */
export function parseMispEvents(doc: unknown, ctx: FeedContext): void {
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.response) ? doc.response : [doc];
  list.forEach((item, i) => {
    const event = isObject(item) && isObject(item.Event) ? item.Event : undefined;
    if (event === undefined) return ctx.sink.error(0, `item ${i}: not a MISP event (no "Event" object)`);
    const where = `event ${typeof event.uuid === 'string' ? event.uuid : i}: `;
    parseMispEvent(event, ctx, where);
  });
}

/** Event uuids listed by a MISP feed manifest (each is `<uuid>.json` beside it). */
export function mispManifestEvents(doc: unknown): string[] {
  if (!isObject(doc)) return [];
  return Object.keys(doc).filter((k) => /^[0-9a-f-]{36}$/i.test(k));
}

/** Entries of a parsed JSON feed; `format` forces one, else it is told from the shape. */
export function parseJsonFeed(doc: unknown, ctx: FeedContext, format: IocFormat | undefined, now?: number): IocFormat | undefined {
  const f = format ?? jsonFeedFormat(doc);
  switch (f) {
    case 'stix2':
      parseStixBundle(doc, ctx, now);
      break;
    case 'misp-event':
      parseMispEvents(doc, ctx);
      break;
    case 'threatfox-json':
      parseThreatFoxJson(doc, ctx);
      break;
    case 'misp-manifest':
      ctx.sink.error(0, 'this is a MISP feed manifest: load the feed directory (manifest.json beside the <uuid>.json event files)');
      break;
    default:
      ctx.sink.error(0, 'JSON that is neither a STIX 2.1 bundle, a MISP event or feed, nor a ThreatFox export');
  }
  return f;
}
