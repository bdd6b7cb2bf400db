/**
 * The rules/IOC bundle on the sensor: verify what the server sent (Ed25519 signature over the exact
 * body bytes, then gzip, JSON and the shared schema), write it as files into a new folder of the
 * rules dir, and make it current by swapping the `current` symlink atomically (a new link renamed
 * over the old one). A bundle that fails any check is refused and the current one stays.
 *
 *   <rules dir>/versions/<version>-<time>/{bundle.rules, threshold.config, ioc/<feed>.txt, bundle.json}
 *   <rules dir>/current → versions/<…>
 */
import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BundleContent } from '@otasuke/shared';

export class BundleRefusedError extends Error {
  override name = 'BundleRefusedError';
  constructor(
    readonly reason: 'signature' | 'encoding' | 'json' | 'schema' | 'rules' | 'key',
    message: string,
  ) {
    super(message);
  }
}

/** A PEM (SPKI) key, or the base64 of its DER. */
export function bundlePublicKeyOf(text: string): KeyObject {
  try {
    const key = text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType} key, not Ed25519`);
    return key;
  } catch (e) {
    throw new BundleRefusedError('key', `the bundle public key is unusable: ${(e as Error).message}`);
  }
}

/** Pure: signed body → BundleContent, or BundleRefusedError saying what is wrong. */
export function verifyBundle(body: Uint8Array, signature: string | undefined, publicKey: KeyObject): BundleContent {
  if (signature === undefined || signature === '') throw new BundleRefusedError('signature', 'the bundle carries no x-otasuke-signature');
  let good = false;
  try {
    good = verify(null, body, publicKey, Buffer.from(signature, 'base64'));
  } catch {
    good = false;
  }
  if (!good) throw new BundleRefusedError('signature', 'the bundle signature does not verify with the pinned public key');
  let json: string;
  try {
    json = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : Buffer.from(body)).toString('utf8');
  } catch (e) {
    throw new BundleRefusedError('encoding', `the bundle is not valid gzip: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new BundleRefusedError('json', `the bundle is not JSON: ${(e as Error).message}`);
  }
  const parsed = BundleContent.safeParse(raw);
  if (!parsed.success) {
    throw new BundleRefusedError('schema', `the bundle does not match the schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** A bundle written to disk, as detection is built from it. */
export interface InstalledBundle {
  version: string;
  etag: string | null;
  policy: string;
  dir: string;
  rules: string[];
  thresholdConfig: string | null;
  iocFiles: string[];
}

const safeName = (text: string): string => text.replace(/[^\w.-]+/g, '_').slice(0, 80) || '_';

/** Writes the bundle's files into a new folder (not yet current). */
export function writeBundle(rulesDir: string, content: BundleContent, etag: string | null, now = Date.now()): InstalledBundle {
  const name = `${safeName(content.version)}-${now}`;
  const dir = join(rulesDir, 'versions', name);
  mkdirSync(join(dir, 'ioc'), { recursive: true });
  const installed: InstalledBundle = { version: content.version, etag, policy: content.policy, dir, rules: [], thresholdConfig: null, iocFiles: [] };
  if (content.rules.trim() !== '') {
    writeFileSync(join(dir, 'bundle.rules'), content.rules);
    installed.rules.push(join(dir, 'bundle.rules'));
  }
  if (content.thresholdConfig.trim() !== '') {
    writeFileSync(join(dir, 'threshold.config'), content.thresholdConfig);
    installed.thresholdConfig = join(dir, 'threshold.config');
  }
  const used = new Set<string>();
  for (const feed of content.iocFeeds) {
    let file = safeName(feed.name);
    for (let i = 2; used.has(file); i++) file = `${safeName(feed.name)}-${i}`;
    used.add(file);
    const path = join(dir, 'ioc', `${file}.txt`);
    writeFileSync(path, feed.lines);
    installed.iocFiles.push(path);
  }
  // Written last: a folder without it is an interrupted install and is never made current.
  writeFileSync(join(dir, 'bundle.json'), `${JSON.stringify({ version: content.version, etag, policy: content.policy, createdAt: content.createdAt, files: { rules: installed.rules.length, ioc: installed.iocFiles.length } })}\n`);
  syncTree(dir);
  return installed;
}

function syncTree(dir: string): void {
  for (const path of [join(dir, 'ioc'), dir, join(dir, '..')]) {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Makes an installed bundle current (atomic symlink swap) and removes all but it and the previous one. */
export function activateBundle(rulesDir: string, installed: InstalledBundle): void {
  const link = join(rulesDir, 'current');
  const previous = currentTarget(rulesDir);
  const temporary = join(rulesDir, `current.${process.pid}.tmp`);
  rmSync(temporary, { force: true });
  symlinkSync(join('versions', installed.dir.split('/').at(-1)!), temporary);
  renameSync(temporary, link);
  const fd = openSync(rulesDir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const keep = new Set([installed.dir.split('/').at(-1)!, previous?.split('/').at(-1)]);
  for (const name of readdirSync(join(rulesDir, 'versions'))) if (!keep.has(name)) rmSync(join(rulesDir, 'versions', name), { recursive: true, force: true });
}

function currentTarget(rulesDir: string): string | null {
  try {
    return readlinkSync(join(rulesDir, 'current'));
  } catch {
    return null;
  }
}

/** Drops a written bundle that was refused (its rules did not load). */
export function discardBundle(installed: InstalledBundle): void {
  rmSync(installed.dir, { recursive: true, force: true });
}

/** The current bundle as installed, or null before the first one (or when its folder is damaged). */
export function readCurrentBundle(rulesDir: string): InstalledBundle | null {
  const target = currentTarget(rulesDir);
  if (target === null) return null;
  const dir = join(rulesDir, target);
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as { version: string; etag: string | null; policy: string };
    const names = new Set(readdirSync(dir));
    return {
      version: meta.version,
      etag: meta.etag,
      policy: meta.policy,
      dir,
      rules: names.has('bundle.rules') ? [join(dir, 'bundle.rules')] : [],
      thresholdConfig: names.has('threshold.config') ? join(dir, 'threshold.config') : null,
      iocFiles: readdirSync(join(dir, 'ioc'))
        .sort()
        .map((n) => join(dir, 'ioc', n)),
    };
  } catch {
    return null;
  }
}
