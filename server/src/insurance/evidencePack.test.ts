import { strFromU8, unzipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildEvidencePack, PACK_FILES } from './evidencePack.ts';

const input = { incident: { id: 'i' }, timeline: [], alerts: { evidence: [] }, notifications: [], tickets: [{ number: 'T-1', subject: '相談' }], dispatch: { visits: [] }, summaryPdf: Buffer.from('%PDF-1.3 test') };

describe('buildEvidencePack', () => {
  it('gives the same bytes for the same claim, with a manifest of every file’s SHA-256', () => {
    const pack = buildEvidencePack(input);
    expect(buildEvidencePack(input).equals(pack)).toBe(true);
    const files = unzipSync(new Uint8Array(pack));
    expect(Object.keys(files)).toEqual([...PACK_FILES]);
    const manifest = JSON.parse(strFromU8(files['manifest.json']!));
    for (const entry of manifest.files) expect(createHash('sha256').update(files[entry.name]!).digest('hex'), entry.name).toBe(entry.sha256);
    expect(JSON.parse(strFromU8(files['tickets.json']!))).toEqual([{ number: 'T-1', subject: '相談' }]);
  });
});
