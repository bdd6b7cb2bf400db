/**
 * Polls `GET /api/v1/sensors/me/bundle` every `pollSeconds` with If-None-Match. A new bundle is
 * verified (bundle.ts), written to a new folder, handed to `apply` — which builds detection from it
 * and throws when that fails — and only then made current. Anything wrong keeps the old bundle.
 *
 * The verifying key: `bundlePublicKey` from the credential (handed out at enrollment); else the key
 * pinned in `rules.publicKeyFile`; else it is fetched once from `GET /api/v1/bundles/public-key`
 * and pinned there (trust on first use — from then on a server cannot switch keys silently).
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BundlePublicKey } from '@otasuke/shared';
import type { AgentLog } from './agentLog.ts';
import { activateBundle, BundleRefusedError, bundlePublicKeyOf, discardBundle, readCurrentBundle, verifyBundle, writeBundle } from './bundle.ts';
import type { InstalledBundle } from './bundle.ts';
import type { ServerLink } from './serverLink.ts';
import { writeFileAtomic } from './spool/spool.ts';
import { sleep } from './uplink.ts';

export const BUNDLE_PATH = '/api/v1/sensors/me/bundle';
export const BUNDLE_KEY_PATH = '/api/v1/bundles/public-key';

export type BundlePollOutcome = 'unchanged' | 'updated' | 'refused' | 'none' | 'failed';

export interface BundleStats {
  version: string | null;
  checks: number;
  updates: number;
  refused: number;
  lastOutcome: BundlePollOutcome | null;
  lastError: string | null;
}

export interface BundlePollerOptions {
  rulesDir: string;
  publicKeyFile: string;
  /** From the credential, when enrollment handed it out. */
  enrolledPublicKey?: string;
  pollMs: number;
  log: AgentLog;
  /** Builds detection from the bundle; throws to refuse it. */
  apply(bundle: InstalledBundle): Promise<void>;
}

export class BundlePoller {
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private key: KeyObject | null = null;
  current: InstalledBundle | null;
  readonly statsValue: BundleStats;

  constructor(
    private readonly link: ServerLink,
    private readonly options: BundlePollerOptions,
  ) {
    this.current = readCurrentBundle(options.rulesDir);
    this.statsValue = { version: this.current?.version ?? null, checks: 0, updates: 0, refused: 0, lastOutcome: null, lastError: null };
  }

  /** Polls every `pollMs`; with `firstAfterMs`, the first poll waits that long (one was just made). */
  start(firstAfterMs = 0): void {
    this.running ??= (async () => {
      await sleep(firstAfterMs, this.abort.signal);
      while (!this.abort.signal.aborted) {
        await this.pollOnce();
        await sleep(this.options.pollMs, this.abort.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async publicKey(): Promise<KeyObject> {
    if (this.key !== null) return this.key;
    if (this.options.enrolledPublicKey !== undefined) return (this.key = bundlePublicKeyOf(this.options.enrolledPublicKey));
    try {
      return (this.key = bundlePublicKeyOf(readFileSync(this.options.publicKeyFile, 'utf8')));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const answer = await this.link.exchange('GET', BUNDLE_KEY_PATH, { signal: this.abort.signal });
    const parsed = answer.status === 200 ? BundlePublicKey.partial({ algorithm: true }).safeParse(JSON.parse(answer.body.toString('utf8'))) : null;
    if (parsed === null || !parsed.success) throw new BundleRefusedError('key', `cannot get the bundle public key from the server (${answer.status})`);
    const key = bundlePublicKeyOf(parsed.data.publicKey);
    writeFileAtomic(this.options.publicKeyFile, Buffer.from(key.export({ type: 'spki', format: 'pem' }).toString()));
    this.options.log('info', 'bundle_key_pinned', { file: this.options.publicKeyFile });
    return (this.key = key);
  }

  private polling: Promise<BundlePollOutcome> | null = null;
  private refusedEtag: string | null = null;

  /** One check; a check already under way is joined, not doubled. */
  pollOnce(): Promise<BundlePollOutcome> {
    this.polling ??= this.check().then((outcome) => {
      this.statsValue.checks++;
      this.statsValue.lastOutcome = outcome;
      this.polling = null;
      return outcome;
    });
    return this.polling;
  }

  private async check(): Promise<BundlePollOutcome> {
    let written: InstalledBundle | null = null;
    let offered: string | null = null;
    try {
      const key = await this.publicKey();
      // A bundle refused once is not fetched and checked again every poll: its ETag rides along.
      const etags = [this.current?.etag, this.refusedEtag].filter((t): t is string => typeof t === 'string' && t !== '');
      const answer = await this.link.exchange('GET', BUNDLE_PATH, { headers: etags.length > 0 ? { 'if-none-match': etags.join(', ') } : {}, signal: this.abort.signal });
      if (answer.status === 304) return 'unchanged';
      if (answer.status === 404 || answer.status === 204) return 'none';
      if (answer.status !== 200) {
        this.statsValue.lastError = `the server answered ${answer.status} to the bundle request`;
        this.options.log('warn', 'bundle_poll_failed', { status: answer.status });
        return 'failed';
      }
      const signature = answer.headers['x-otasuke-signature'];
      const content = verifyBundle(answer.body, Array.isArray(signature) ? signature[0] : signature, key);
      const newEtag = typeof answer.headers.etag === 'string' ? answer.headers.etag : `"${content.version}"`;
      offered = newEtag;
      if (this.current !== null && content.version === this.current.version) return 'unchanged';
      written = writeBundle(this.options.rulesDir, content, newEtag);
      await this.options.apply(written);
      activateBundle(this.options.rulesDir, written);
      this.options.log('info', 'bundle_installed', { version: content.version, policy: content.policy, previous: this.current?.version ?? null });
      this.current = written;
      this.statsValue.version = written.version;
      this.statsValue.updates++;
      this.statsValue.lastError = null;
      return 'updated';
    } catch (e) {
      if (written !== null) discardBundle(written);
      if (this.abort.signal.aborted) return 'failed';
      this.statsValue.lastError = (e as Error).message;
      if (e instanceof BundleRefusedError || written !== null) {
        this.statsValue.refused++;
        if (offered !== null) this.refusedEtag = offered;
        this.options.log('error', 'bundle_refused', { reason: e instanceof BundleRefusedError ? e.reason : 'rules', error: (e as Error).message, keeping: this.current?.version ?? null });
        return 'refused';
      }
      this.options.log('warn', 'bundle_poll_failed', { error: (e as Error).message });
      return 'failed';
    }
  }
}
