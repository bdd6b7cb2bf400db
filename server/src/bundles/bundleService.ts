/**
 * Builds, signs, stores and serves the rules/IOC bundle of each policy. A bundle is the gzip of the
 * JSON of BundleContent, signed with Ed25519 over those exact bytes; sensors poll it with ETag.
 *
 * The signing key: in production it comes from a PEM file (`bundleSigningKeyFile`, e.g. mounted
 * from a KMS or a secrets store). Without one, a key is generated once and kept in
 * `bundle_signing_keys` with its private half in PEM — simple, and honest about it: anyone who can
 * read the database can sign bundles.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { BundlePolicy, BundlePolicyCreate, BundlePolicyUpdate, BundlePublicKey, BundleStatus, BundleSummary } from '@otasuke/shared';
import type { RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import type { SensorIdentity } from '../enrollment/enrollmentService.ts';
import { AppError, ConflictError, NotFoundError } from '../http/errors.ts';
import { assembleBundle, type FeedLines } from './bundleAssembly.ts';
import { DEFAULT_POLICY, type BundleRepository, type StoredBundle } from './bundleRepository.ts';
import { generateSigningKey, signBundle, signingKeyFromPem } from './bundleSigning.ts';
import type { BundleVersionInfo, SensorBundleList, SensorBundleQuery } from './bundleFleetSchemas.ts';

export interface BundleSettings {
  /** Folder of the ET Open rule files (`emerging-*.rules`); unset = local rules only. */
  rulesDir?: string | undefined;
  /** PEM (PKCS#8) file of the Ed25519 signing key; unset = the key kept in the database. */
  signingKeyFile?: string | undefined;
}

/** The normalised IOC lines of feeds, by id (enabled feeds only). */
export interface FeedTextSource {
  feedLines(feedIds: readonly string[]): Promise<FeedLines[]>;
}

/**
 * Hook for threshold.config: today it gives nothing. When per-tenant suppressions exist, the
 * suppressions that can run on a sensor (by sid, or sid + address) are written here as
 * `suppress gen_id 1, sig_id N, track by_src, ip X` lines; a policy shared by several tenants
 * then needs per-organization bundles, or the lines must name each tenant's HOME_NET addresses.
 */
export interface ThresholdSource {
  thresholdLines(policy: BundlePolicy): Promise<string>;
}

/** Off the event loop: a full ET policy is megabytes of JSON. */
const gzipAsync = promisify(gzip);

export const noThresholds: ThresholdSource = { thresholdLines: async () => '' };

export type SensorBundle = { status: 'not_modified'; version: string } | { status: 'bundle'; version: string; body: Buffer; signature: string };

/** Parses If-None-Match: `"v"`, `W/"v"`, `v`, or a list of them. */
export function matchesIfNoneMatch(header: string | undefined, version: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    return t === version || t === '*';
  });
}

export class BundleService {
  private key: Promise<{ key: KeyObject; publicKeyPem: string }> | null = null;
  private readonly building = new Map<string, Promise<BundleSummary>>();
  /** The latest bundle of each policy, so 3 000 sensors fetching a new version read it from the database once. */
  private readonly served = new Map<string, StoredBundle>();

  constructor(
    private readonly repository: BundleRepository,
    private readonly feeds: FeedTextSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly settings: BundleSettings = {},
    private readonly thresholds: ThresholdSource = noThresholds,
  ) {}

  /** The key that signs bundles (loaded or created once). A bad key file fails here, with the reason. */
  private signingKey(): Promise<{ key: KeyObject; publicKeyPem: string }> {
    this.key ??= this.loadKey().catch((err: unknown) => {
      this.key = null;
      throw err;
    });
    return this.key;
  }

  private async loadKey(): Promise<{ key: KeyObject; publicKeyPem: string }> {
    if (this.settings.signingKeyFile) {
      let pem: string;
      try {
        pem = readFileSync(this.settings.signingKeyFile, 'utf8');
      } catch (err) {
        throw new Error(`bundleSigningKeyFile ${this.settings.signingKeyFile}: ${(err as Error).message}`);
      }
      return signingKeyFromPem(pem);
    }
    const stored = (await this.repository.signingKey()) ?? (await this.repository.storeSigningKey(generateSigningKey()));
    return signingKeyFromPem(stored.privateKeyPem);
  }

  async publicKey(): Promise<BundlePublicKey> {
    return { publicKey: (await this.signingKey()).publicKeyPem, algorithm: 'ed25519' };
  }

  listPolicies(): Promise<BundlePolicy[]> {
    return this.repository.listPolicies();
  }

  async createPolicy(context: RequestContext, input: BundlePolicyCreate): Promise<BundlePolicy> {
    const policy = await this.repository.createPolicy(input, this.clock.now());
    if (!policy) throw new ConflictError(`a policy named "${input.name}" already exists; choose another name`);
    await this.audit.record(context, { action: 'bundle_policy.create', organizationId: null, targetType: 'bundle_policy', targetId: policy.id, details: { name: policy.name } });
    return policy;
  }

  async updatePolicy(context: RequestContext, id: string, input: BundlePolicyUpdate): Promise<BundlePolicy> {
    const policy = (await this.repository.updatePolicy(id, input, this.clock.now())) ?? notFound('bundle policy');
    await this.audit.record(context, { action: 'bundle_policy.update', organizationId: null, targetType: 'bundle_policy', targetId: id, details: { fields: Object.keys(input) } });
    return policy;
  }

  /** Puts a subscriber on a policy (null = the default 'standard'). */
  async setOrganizationPolicy(context: RequestContext, organizationId: string, policyId: string | null): Promise<BundlePolicy> {
    const policy = policyId ? ((await this.repository.policyById(policyId)) ?? notFound('bundle policy')) : ((await this.repository.policyByName(DEFAULT_POLICY)) ?? notFound('bundle policy'));
    if (!(await this.repository.setOrganizationPolicy(organizationId, policyId))) notFound('subscriber organization');
    await this.audit.record(context, { action: 'organization.bundle_policy', organizationId, targetType: 'organization', targetId: organizationId, details: { policy: policy.name } });
    return policy;
  }

  /** `POST /bundles/build`: one named policy, or every policy. */
  async build(context: RequestContext, policyName?: string): Promise<BundleSummary[]> {
    const policies = policyName ? [(await this.repository.policyByName(policyName)) ?? notFound(`bundle policy "${policyName}"`)] : await this.repository.listPolicies();
    const results: BundleSummary[] = [];
    for (const policy of policies) results.push(await this.buildPolicy(policy));
    await this.audit.record(context, {
      action: 'bundle.build',
      organizationId: null,
      targetType: 'bundle',
      details: { bundles: results.map((r) => ({ policy: r.policy, version: r.version, changed: r.changed })) },
    });
    return results;
  }

  /** After a feed import: rebuild the policies that use it. */
  async rebuildForFeed(feedId: string): Promise<BundleSummary[]> {
    const results: BundleSummary[] = [];
    for (const policy of await this.repository.policiesUsingFeed(feedId)) results.push(await this.buildPolicy(policy));
    return results;
  }

  /** The daily rebuild (rule files may have been updated on disk). */
  async rebuildAll(): Promise<BundleSummary[]> {
    const results: BundleSummary[] = [];
    for (const policy of await this.repository.listPolicies()) results.push(await this.buildPolicy(policy));
    return results;
  }

  /** Builds one policy; a build already running for it is joined, not doubled. */
  buildPolicy(policy: BundlePolicy): Promise<BundleSummary> {
    let running = this.building.get(policy.id);
    if (!running) {
      running = this.assembleAndStore(policy).finally(() => this.building.delete(policy.id));
      this.building.set(policy.id, running);
    }
    return running;
  }

  private async assembleAndStore(policy: BundlePolicy): Promise<BundleSummary> {
    const now = this.clock.now();
    const assembled = assembleBundle({
      policy: policy.name,
      categories: policy.categories,
      ruleFiles: await this.readRuleFiles(policy.categories),
      localRules: policy.localRules,
      feeds: await this.feeds.feedLines(policy.feedIds),
      thresholdConfig: await this.thresholds.thresholdLines(policy),
      createdAt: now,
    });
    const latest = await this.repository.latestSummary(policy.id);
    if (latest?.version === assembled.content.version) return { ...(latest.summary as unknown as BundleSummary), changed: false };
    const body = await gzipAsync(Buffer.from(JSON.stringify(assembled.content), 'utf8'));
    const signature = signBundle(body, (await this.signingKey()).key);
    const summary: BundleSummary = {
      policy: policy.name,
      version: assembled.content.version,
      createdAt: now.toISOString(),
      sizeBytes: body.length,
      ruleCount: assembled.ruleCount,
      rulesByCategory: assembled.rulesByCategory,
      missingCategories: assembled.missingCategories,
      iocCount: assembled.iocCount,
      iocByFeed: assembled.iocByFeed,
      changed: true,
    };
    await this.repository.storeBundle({ policyId: policy.id, version: summary.version, createdAt: now, body, signature, summary });
    return summary;
  }

  private async readRuleFiles(categories: readonly string[]): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    const dir = this.settings.rulesDir;
    if (!dir) return files;
    for (const category of categories) {
      // Names are checked by the schema; basename() keeps a path out of the folder all the same.
      const path = join(dir, basename(category));
      if (existsSync(path)) files.set(category, await readFile(path, 'utf8'));
    }
    return files;
  }

  /** The sensor's bundle: its organization's policy, latest version (built now if none exists yet). */
  async forSensor(identity: SensorIdentity, ifNoneMatch: string | undefined): Promise<SensorBundle> {
    const policy = (await this.repository.policyOfOrganization(identity.organizationId)) ?? notFound('bundle policy');
    let version = await this.repository.latestVersion(policy.id);
    if (!version) {
      version = (await this.buildPolicy(policy)).version;
    }
    if (matchesIfNoneMatch(ifNoneMatch, version)) return { status: 'not_modified', version };
    let bundle = this.served.get(policy.id);
    if (bundle?.version !== version) {
      bundle = (await this.repository.latestBundle(policy.id)) ?? unavailable();
      this.served.set(policy.id, bundle);
    }
    return { status: 'bundle', version: bundle.version, body: bundle.body, signature: bundle.signature };
  }

  async status(): Promise<BundleStatus[]> {
    const out: BundleStatus[] = [];
    for (const policy of await this.repository.listPolicies()) {
      const latest = await this.repository.latestSummary(policy.id);
      out.push({
        policy,
        latest: latest ? ({ ...(latest.summary as unknown as BundleSummary), changed: true } satisfies BundleSummary) : null,
        sensors: await this.repository.sensorVersions(policy, latest?.version ?? null),
      });
    }
    return out;
  }
  /** The kept bundles of every policy (newest first), with signature, content counts and sensors on each. */
  async versions(): Promise<BundleVersionInfo[]> {
    return (await this.repository.keptBundles()).map((b) => {
      const summary = b.summary as Partial<BundleSummary>;
      return {
        policy: b.policy,
        version: b.version,
        createdAt: b.createdAt.toISOString(),
        latest: b.latest,
        sizeBytes: summary.sizeBytes ?? 0,
        ruleCount: summary.ruleCount ?? 0,
        iocCount: summary.iocCount ?? 0,
        rulesByCategory: summary.rulesByCategory ?? {},
        iocByFeed: summary.iocByFeed ?? {},
        signature: b.signature,
        sensors: b.sensors,
      };
    });
  }

  /** Which active sensor runs which version: behind (an older one) first, then none yet, then latest. */
  async sensorBundles(query: SensorBundleQuery): Promise<SensorBundleList> {
    const order = { behind: 0, none: 1, latest: 2 } as const;
    const all = (await this.repository.sensorBundles()).map((s) => ({
      ...s,
      state: s.bundleVersion === null ? ('none' as const) : s.bundleVersion === s.latestVersion ? ('latest' as const) : ('behind' as const),
      lastHeartbeatAt: s.lastHeartbeatAt?.toISOString() ?? null,
    }));
    const counts = { latest: 0, behind: 0, none: 0 };
    for (const s of all) counts[s.state]++;
    const sensors = all.filter((s) => !query.state || s.state === query.state).sort((a, b) => order[a.state] - order[b.state]).slice(0, query.limit);
    return { counts, sensors };
  }
}

function notFound(what: string): never {
  throw new NotFoundError(what);
}

function unavailable(): never {
  throw new AppError('unavailable', 503, 'the bundle could not be built; try again shortly');
}
