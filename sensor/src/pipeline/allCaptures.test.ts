/**
 * Every capture in ../shared/data (the real captures and the suricata-verify ones) runs through the
 * whole pipeline without throwing, and every EVE line it writes passes Suricata's EVE schema: the
 * sensor's output is the server's ingest contract. Captures are found by magic bytes, since file
 * names lie.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEveValidator, DEFAULT_EVE_SCHEMA_PATH } from '../eve/eveSchema.ts';
import { serializeEveRecord } from '../eve/eveWriter.ts';
import { runCaptureFile } from './runCapture.ts';

const DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const ROOTS = [join(DATA, 'pcaps'), join(DATA, 'suricata-verify', 'tests')].filter((dir) => existsSync(dir));
const present = ROOTS.length > 0 && existsSync(DEFAULT_EVE_SCHEMA_PATH);
if (!present) console.warn(`\n*** capture/schema sweep SKIPPED: ${DATA} or the EVE schema is absent ***\n`);

const MAGICS = new Set(['a1b2c3d4', 'd4c3b2a1', 'a1b23c4d', '4d3cb2a1', '0a0d0d0a']);

function isCapture(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && MAGICS.has(head.toString('hex'));
  } finally {
    closeSync(fd);
  }
}

function captures(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) captures(path, out);
    else if (isCapture(path)) out.push(path);
  }
  return out;
}

describe.skipIf(!present)('every capture of the test data', () => {
  it('runs through the pipeline and writes only schema-valid EVE lines', async () => {
    const validator = createEveValidator();
    const files = ROOTS.flatMap((root) => captures(root));
    expect(files.length).toBeGreaterThan(100);
    let lines = 0;
    const invalid: string[] = [];
    const crashed: string[] = [];
    for (const file of files) {
      try {
        await runCaptureFile(file, (record) => {
          lines++;
          const verdict = validator.validate(JSON.parse(serializeEveRecord(record)));
          if (!verdict.ok && invalid.length < 20) invalid.push(`${relative(DATA, file)} ${record.event_type}: ${verdict.errors.join('; ')}`);
        });
      } catch (e) {
        crashed.push(`${relative(DATA, file)}: ${(e as Error).message}`);
      }
    }
    console.log(`\ncapture sweep: ${files.length} captures, ${lines} EVE lines checked against the schema\n`);
    expect(crashed).toEqual([]);
    expect(invalid).toEqual([]);
    expect(lines).toBeGreaterThan(10_000);
  }, 120_000);
});
