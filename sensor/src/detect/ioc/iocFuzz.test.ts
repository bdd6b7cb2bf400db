/**
 * Hostile feeds: every fixture, mutated (bit flips, overwrites, truncation, length lies), parsed as
 * detected and as every forced format, must neither throw nor give an entry whose value is not
 * already canonical (the loader indexes parser output as it is).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMutations, byteMutation } from '../../testing/byteMutation.ts';
import { IocIndex } from './iocIndex.ts';
import { parseIocText } from './iocParse.ts';
import { normaliseIocValue } from './iocValue.ts';
import { IOC_FORMATS } from './lineFormats.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const files = readdirSync(FIXTURES)
  .map((n) => join(FIXTURES, n))
  .filter((p) => statSync(p).isFile());
const samples = files.map((p) => readFileSync(p));

function checkParse(bytes: Uint8Array, format?: (typeof IOC_FORMATS)[number]): void {
  const r = parseIocText(bytes, 'fuzz', format);
  const index = new IocIndex();
  for (const e of r.entries) {
    // Parsers emit canonical values (the loader indexes them as they are): normalising is a no-op.
    expect(normaliseIocValue(e.type, e.value)).toEqual({ ok: true, value: e.value });
    expect(index.add(e)).not.toHaveProperty('reason');
  }
  for (const e of r.errors) expect(typeof e.reason).toBe('string');
}

describe('IOC feeds under mutation', () => {
  it('never throw, and every entry they give is one the index takes', () => {
    fc.assert(
      fc.property(fc.nat({ max: samples.length - 1 }), fc.array(byteMutation, { maxLength: 8 }), fc.constantFrom(undefined, ...IOC_FORMATS), (i, mutations, format) => {
        checkParse(applyMutations(samples[i]!, mutations), format);
      }),
      { numRuns: 300, seed: 4 },
    );
  });

  it('random bytes and random text lines', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => checkParse(bytes)),
      { numRuns: 200, seed: 5 },
    );
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 30 }), (lines) => checkParse(Buffer.from(lines.join('\n')))),
      { numRuns: 200, seed: 6 },
    );
  });
});
