/**
 * runCapture over a source that reuses one buffer for every chunk (readFileChunks with
 * reuseBuffer) must write exactly what it writes over fresh chunks: whatever the pipeline keeps
 * across chunks is copied before the buffer is overwritten. The reused buffer is poisoned before
 * every refill and after the last chunk, so a view kept by mistake shows up as different output.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serializeEveRecord } from '../eve/eveWriter.ts';
import { readFileChunks, runCapture, runCaptureFile } from './runCapture.ts';

const DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const ROOTS = [join(DATA, 'pcaps'), join(DATA, 'suricata-verify', 'tests')].filter((dir) => existsSync(dir));
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

/** `bytes` in chunks of `size`, all in one buffer that is filled with 0xee before each refill and
 *  once more when the source is exhausted. */
function* poisonedReusedChunks(bytes: Uint8Array, size: number): Generator<Uint8Array, void, undefined> {
  const buf = new Uint8Array(size);
  for (let off = 0; off < bytes.length; off += size) {
    buf.fill(0xee);
    const n = Math.min(size, bytes.length - off);
    buf.set(bytes.subarray(off, off + n), 0);
    yield buf.subarray(0, n);
  }
  buf.fill(0xee);
}

async function eveLines(source: Iterable<Uint8Array>, chunksReused: boolean): Promise<string[]> {
  const lines: string[] = [];
  try {
    await runCapture(source, (r) => lines.push(serializeEveRecord(r)), { chunksReused, fileHashes: { md5: true, sha256: true }, httpHeaders: true });
  } catch (e) {
    lines.push(`error: ${(e as Error).message}`);
  }
  return lines;
}

describe.skipIf(ROOTS.length === 0)('runCapture over a reused read buffer', () => {
  it('writes the same EVE records as over fresh chunks, for every capture of the test data', async () => {
    const files = ROOTS.flatMap((root) => captures(root));
    expect(files.length).toBeGreaterThan(100);
    const differing: string[] = [];
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      const expected = await eveLines([bytes], false);
      // Odd sizes so records straddle chunks at every kind of offset.
      for (const size of [1531, 65_537]) {
        const got = await eveLines(poisonedReusedChunks(bytes, size), true);
        if (got.join('\n') !== expected.join('\n')) differing.push(`${file} (chunks of ${size})`);
      }
    }
    expect(differing).toEqual([]);
  }, 300_000);
});

describe('readFileChunks', () => {
  it('yields the file whole, in one buffer when reusing, in fresh ones otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otasuke-chunks-'));
    try {
      const path = join(dir, 'f.bin');
      const content = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff);
      writeFileSync(path, content);
      for (const reuse of [false, true]) {
        const parts: Uint8Array[] = [];
        const buffers = new Set<ArrayBufferLike>();
        for (const chunk of readFileChunks(path, 4096, reuse)) {
          parts.push(chunk.slice());
          buffers.add(chunk.buffer);
        }
        expect(Buffer.concat(parts)).toEqual(Buffer.from(content));
        expect(parts.map((p) => p.length)).toEqual([4096, 4096, 1808]);
        expect(buffers.size).toBe(reuse ? 1 : 3);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runCaptureFile (reused buffer) writes what runCapture over the whole file writes', async () => {
    const file = ROOTS.flatMap((root) => captures(root)).find((f) => statSync(f).size > 1 << 19);
    if (file === undefined) return;
    const expected = await eveLines([new Uint8Array(readFileSync(file))], false);
    const got: string[] = [];
    await runCaptureFile(file, (r) => got.push(serializeEveRecord(r)), { fileHashes: { md5: true, sha256: true }, httpHeaders: true });
    expect(got).toEqual(expected);
  });
});
