/**
 * Evidence: each alert of an incident with the SHA-256 of its canonical JSON (keys sorted at every
 * level, no whitespace, absent values as null), so a copy handed to the customer or the police can be
 * checked against the platform's record. Pure.
 */
import { createHash } from 'node:crypto';
import type { IncidentEvidence } from '@otasuke/shared';

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function withDigest(evidence: Omit<IncidentEvidence, 'sha256'>): IncidentEvidence {
  return { ...evidence, sha256: createHash('sha256').update(canonicalJson(evidence)).digest('hex') };
}
