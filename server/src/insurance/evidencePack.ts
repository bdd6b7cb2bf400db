/**
 * The evidence pack an insurer receives with a claim: one ZIP (fflate) holding the incident and its
 * timeline, the alerts with their evidence hashes, the notification log, the help-desk tickets, the
 * on-site visits with their costs, the Japanese PDF summary, and a manifest of every file's SHA-256.
 * Pure apart from the PDF renderer passed in; file order and timestamps are fixed so the same claim
 * always gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { strToU8, zipSync, type Zippable } from 'fflate';

export interface EvidencePackInput {
  incident: unknown;
  timeline: unknown;
  alerts: unknown;
  notifications: unknown;
  tickets: unknown;
  dispatch: unknown;
  summaryPdf: Buffer;
}

export const PACK_FILES = ['manifest.json', 'summary.pdf', 'incident.json', 'timeline.json', 'alerts.json', 'notifications.json', 'tickets.json', 'dispatch.json'] as const;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
// ZIP stores local time without a zone; a fixed date keeps the pack reproducible.
const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

export function buildEvidencePack(input: EvidencePackInput): Buffer {
  const json = (value: unknown) => strToU8(`${JSON.stringify(value, null, 2)}\n`);
  const files: Record<string, Uint8Array> = {
    'summary.pdf': new Uint8Array(input.summaryPdf),
    'incident.json': json(input.incident),
    'timeline.json': json(input.timeline),
    'alerts.json': json(input.alerts),
    'notifications.json': json(input.notifications),
    'tickets.json': json(input.tickets),
    'dispatch.json': json(input.dispatch),
  };
  const manifest = json({ files: Object.entries(files).map(([name, bytes]) => ({ name, bytes: bytes.length, sha256: sha256(bytes) })) });
  const zippable: Zippable = {};
  for (const name of PACK_FILES) zippable[name] = [name === 'manifest.json' ? manifest : files[name]!, { mtime: FIXED_MTIME }];
  return Buffer.from(zipSync(zippable, { level: 6 }));
}
