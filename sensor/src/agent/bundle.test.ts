import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BundleContent } from '@otasuke/shared';
import { activateBundle, BundleRefusedError, bundlePublicKeyOf, readCurrentBundle, verifyBundle, writeBundle } from './bundle.ts';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const content: BundleContent = {
  version: 'v1/2026',
  createdAt: '2026-11-26T00:00:00Z',
  policy: 'standard',
  rules: 'alert ip any any -> any any (msg:"x"; sid:1;)\n',
  thresholdConfig: 'suppress gen_id 1, sig_id 1\n',
  iocFeeds: [
    { name: 'feodo', lines: 'ip 192.0.2.1\n' },
    { name: 'feodo', lines: 'ip 192.0.2.2\n' },
  ],
};
const signed = (body: Buffer) => ({ body, signature: sign(null, body, privateKey).toString('base64') });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof BundleRefusedError) return e.reason;
    throw e;
  }
  return 'accepted';
}

describe('verifyBundle', () => {
  it('accepts a signed gzip bundle and refuses anything else, saying why', () => {
    const key = bundlePublicKeyOf(pem);
    const good = signed(gzipSync(Buffer.from(JSON.stringify(content))));
    expect(verifyBundle(good.body, good.signature, key)).toEqual(content);
    const tampered = Buffer.from(good.body);
    tampered[tampered.length - 5]! ^= 1;
    expect(refusal(() => verifyBundle(tampered, good.signature, key))).toBe('signature');
    expect(refusal(() => verifyBundle(good.body, undefined, key))).toBe('signature');
    expect(refusal(() => verifyBundle(good.body, 'not base64 at all', key))).toBe('signature');
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(refusal(() => verifyBundle(good.body, sign(null, good.body, other).toString('base64'), key))).toBe('signature');
    const broken = signed(Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('garbage')]));
    expect(refusal(() => verifyBundle(broken.body, broken.signature, key))).toBe('encoding');
    const notJson = signed(gzipSync(Buffer.from('{"version":')));
    expect(refusal(() => verifyBundle(notJson.body, notJson.signature, key))).toBe('json');
    const wrongShape = signed(gzipSync(Buffer.from(JSON.stringify({ ...content, rules: 42 }))));
    expect(refusal(() => verifyBundle(wrongShape.body, wrongShape.signature, key))).toBe('schema');
  });

  it('reads the key as PEM or base64 DER, and refuses a key that is not Ed25519', () => {
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(bundlePublicKeyOf(der).asymmetricKeyType).toBe('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(refusal(() => bundlePublicKeyOf(rsa))).toBe('key');
    expect(refusal(() => bundlePublicKeyOf('nonsense'))).toBe('key');
  });
});

describe('installed bundles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-bundle-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the files, swaps `current`, and keeps only the current and the previous version', () => {
    expect(readCurrentBundle(dir)).toBeNull();
    const first = writeBundle(dir, content, '"v1"', 1000);
    activateBundle(dir, first);
    expect(readlinkSync(join(dir, 'current'))).toBe('versions/v1_2026-1000');
    const current = readCurrentBundle(dir)!;
    expect(current).toMatchObject({ version: 'v1/2026', etag: '"v1"', policy: 'standard' });
    expect(current.iocFiles.map((f) => f.split('/').at(-1))).toEqual(['feodo-2.txt', 'feodo.txt']);
    expect(readFileSync(current.rules[0]!, 'utf8')).toBe(content.rules);
    expect(readFileSync(current.thresholdConfig!, 'utf8')).toBe(content.thresholdConfig);
    const second = writeBundle(dir, { ...content, version: 'v2', thresholdConfig: '', rules: '' }, '"v2"', 2000);
    activateBundle(dir, second);
    const third = writeBundle(dir, { ...content, version: 'v3' }, '"v3"', 3000);
    activateBundle(dir, third);
    expect(readdirSync(join(dir, 'versions')).sort()).toEqual(['v2-2000', 'v3-3000']);
    expect(readCurrentBundle(dir)?.version).toBe('v3');
    expect(existsSync(join(dir, 'versions', 'v2-2000', 'bundle.rules'))).toBe(false);
  });
});
