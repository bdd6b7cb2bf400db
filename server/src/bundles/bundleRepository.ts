import type { BundlePolicy, BundlePolicyCreate, BundlePolicyUpdate, BundleSummary } from '@otasuke/shared';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { distributionDb, type DistributionDb } from './distributionTables.ts';

export const DEFAULT_POLICY = 'standard';
/** Older bundles are kept a while so a sensor mid-download still gets the bytes it asked for. */
export const BUNDLES_KEPT_PER_POLICY = 5;

export interface StoredBundle {
  policyId: string;
  version: string;
  createdAt: Date;
  body: Buffer;
  signature: string;
}

type PolicyRow = { id: string; name: string; description: string | null; categories: string[]; localRules: string; feedIds: string[]; updatedAt: Date };

function toPolicy(row: PolicyRow): BundlePolicy {
  return { id: row.id, name: row.name, description: row.description, categories: row.categories, localRules: row.localRules, feedIds: row.feedIds, updatedAt: row.updatedAt.toISOString() };
}

const policyColumns = ['id', 'name', 'description', 'categories', 'localRules', 'feedIds', 'updatedAt'] as const;

/** Bundle policies, the organizations' choice of policy, the signing key and the built bundles. */
export class BundleRepository {
  private readonly db: DistributionDb;
  constructor(db: Db) {
    this.db = distributionDb(db);
  }

  async listPolicies(): Promise<BundlePolicy[]> {
    return (await this.db.selectFrom('bundlePolicies').select(policyColumns).orderBy('name').execute()).map(toPolicy);
  }

  async policyByName(name: string): Promise<BundlePolicy | undefined> {
    const row = await this.db.selectFrom('bundlePolicies').select(policyColumns).where('name', '=', name).executeTakeFirst();
    return row && toPolicy(row);
  }

  async policyById(id: string): Promise<BundlePolicy | undefined> {
    const row = await this.db.selectFrom('bundlePolicies').select(policyColumns).where('id', '=', id).executeTakeFirst();
    return row && toPolicy(row);
  }

  async createPolicy(input: BundlePolicyCreate, now: Date): Promise<BundlePolicy | undefined> {
    const row = await this.db
      .insertInto('bundlePolicies')
      .values({ name: input.name, description: input.description ?? null, categories: JSON.stringify(input.categories), localRules: input.localRules, feedIds: JSON.stringify(input.feedIds), createdAt: now, updatedAt: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning(policyColumns)
      .executeTakeFirst();
    return row && toPolicy(row);
  }

  async updatePolicy(id: string, input: BundlePolicyUpdate, now: Date): Promise<BundlePolicy | undefined> {
    const row = await this.db
      .updateTable('bundlePolicies')
      .set({
        updatedAt: now,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.categories ? { categories: JSON.stringify(input.categories) } : {}),
        ...(input.localRules !== undefined ? { localRules: input.localRules } : {}),
        ...(input.feedIds ? { feedIds: JSON.stringify(input.feedIds) } : {}),
      })
      .where('id', '=', id)
      .returning(policyColumns)
      .executeTakeFirst();
    return row && toPolicy(row);
  }

  /** The policy an organization is on (the default one when it has none). */
  async policyOfOrganization(organizationId: string): Promise<BundlePolicy | undefined> {
    const row = await this.db
      .selectFrom('bundlePolicies')
      .select(policyColumns)
      .where((eb) =>
        eb.or([
          eb('id', '=', eb.selectFrom('organizations').select('bundlePolicyId').where('id', '=', organizationId)),
          eb.and([eb('name', '=', DEFAULT_POLICY), eb.not(eb.exists(eb.selectFrom('organizations').select('id').where('id', '=', organizationId).where('bundlePolicyId', 'is not', null)))]),
        ]),
      )
      .executeTakeFirst();
    return row && toPolicy(row);
  }

  /** Puts a subscriber on a policy (null = the default); false when the organization is unknown. */
  async setOrganizationPolicy(organizationId: string, policyId: string | null): Promise<boolean> {
    const result = await this.db.updateTable('organizations').set({ bundlePolicyId: policyId }).where('id', '=', organizationId).where('kind', '=', 'subscriber').executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async policiesUsingFeed(feedId: string): Promise<BundlePolicy[]> {
    const rows = await this.db
      .selectFrom('bundlePolicies')
      .select(policyColumns)
      .where(sql<boolean>`feed_ids @> ${JSON.stringify([feedId])}::jsonb`)
      .execute();
    return rows.map(toPolicy);
  }

  async signingKey(): Promise<{ publicKeyPem: string; privateKeyPem: string } | undefined> {
    return this.db.selectFrom('bundleSigningKeys').select(['publicKeyPem', 'privateKeyPem']).where('singleton', '=', true).executeTakeFirst();
  }

  /** Stores a key unless another server stored one first; returns the key in force. */
  async storeSigningKey(pair: { publicKeyPem: string; privateKeyPem: string }): Promise<{ publicKeyPem: string; privateKeyPem: string }> {
    await this.db.insertInto('bundleSigningKeys').values(pair).onConflict((oc) => oc.column('singleton').doNothing()).execute();
    return (await this.signingKey())!;
  }

  async latestSummary(policyId: string): Promise<{ version: string; createdAt: Date; summary: Record<string, unknown> } | undefined> {
    return this.db.selectFrom('bundles').select(['version', 'createdAt', 'summary']).where('policyId', '=', policyId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  }

  /** The latest version only (no bytes): what every poll needs to answer 304. */
  async latestVersion(policyId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('bundles').select('version').where('policyId', '=', policyId).orderBy('seq', 'desc').limit(1).executeTakeFirst())?.version;
  }

  async latestBundle(policyId: string): Promise<StoredBundle | undefined> {
    const row = await this.db
      .selectFrom('bundles')
      .select(['policyId', 'version', 'createdAt', 'body', 'signature'])
      .where('policyId', '=', policyId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { ...row, body: Buffer.from(row.body) };
  }

  /**
   * Stores a built bundle as the policy's latest. A version built before (content reverted) becomes
   * the latest again; only the newest few per policy are kept.
   */
  async storeBundle(input: { policyId: string; version: string; createdAt: Date; body: Buffer; signature: string; summary: BundleSummary }): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      // A version built before goes to the top again as a new row (new seq).
      await tx.deleteFrom('bundles').where('policyId', '=', input.policyId).where('version', '=', input.version).execute();
      await tx.insertInto('bundles').values({ ...input, summary: JSON.stringify(input.summary) }).execute();
      const keep = tx.selectFrom('bundles').select('id').where('policyId', '=', input.policyId).orderBy('seq', 'desc').limit(BUNDLES_KEPT_PER_POLICY);
      await tx.deleteFrom('bundles').where('policyId', '=', input.policyId).where('id', 'not in', keep).execute();
    });
  }

  /** Active sensors of the organizations on a policy, by the bundle version they last reported. */
  async sensorVersions(policy: BundlePolicy, latestVersion: string | null): Promise<{ onLatest: number; onOlder: number; none: number }> {
    const row = await this.db
      .selectFrom('sensors')
      .innerJoin('organizations', 'organizations.id', 'sensors.organizationId')
      .select([
        sql<string>`count(*) filter (where sensors.bundle_version = ${latestVersion ?? ''})`.as('onLatest'),
        sql<string>`count(*) filter (where sensors.bundle_version is not null and sensors.bundle_version <> ${latestVersion ?? ''})`.as('onOlder'),
        sql<string>`count(*) filter (where sensors.bundle_version is null)`.as('none'),
      ])
      .where('sensors.status', '=', 'active')
      .where((eb) =>
        policy.name === DEFAULT_POLICY
          ? eb.or([eb('organizations.bundlePolicyId', '=', policy.id), eb('organizations.bundlePolicyId', 'is', null)])
          : eb('organizations.bundlePolicyId', '=', policy.id),
      )
      .executeTakeFirstOrThrow();
    return { onLatest: Number(row.onLatest), onOlder: Number(row.onOlder), none: Number(row.none) };
  }

  /** Every kept bundle (newest first per policy) with its signature and how many active sensors report it. */
  async keptBundles(): Promise<Array<{ policy: string; policyId: string; version: string; createdAt: Date; signature: string; summary: Record<string, unknown>; latest: boolean; sensors: number }>> {
    const rows = await sql<{ policy: string; policyId: string; version: string; createdAt: Date; signature: string; summary: Record<string, unknown> | string; latest: boolean; sensors: string }>`
      select p.name as policy, b.policy_id, b.version, b.created_at, b.signature, b.summary,
        b.seq = (select max(seq) from bundles l where l.policy_id = b.policy_id) as latest,
        (select count(*) from sensors s join organizations o on o.id = s.organization_id
          where s.status = 'active' and s.bundle_version = b.version
            and (o.bundle_policy_id = p.id or (o.bundle_policy_id is null and p.name = ${DEFAULT_POLICY}))) as sensors
      from bundles b join bundle_policies p on p.id = b.policy_id
      order by p.name, b.seq desc`.execute(this.db);
    return rows.rows.map((r) => ({ ...r, summary: typeof r.summary === 'string' ? (JSON.parse(r.summary) as Record<string, unknown>) : r.summary, sensors: Number(r.sensors) }));
  }

  /** Active sensors with their organization's policy and that policy's latest version. */
  async sensorBundles(): Promise<Array<{ sensorId: string; sensorName: string; organizationId: string; organizationName: string; siteName: string; policy: string | null; bundleVersion: string | null; latestVersion: string | null; lastHeartbeatAt: Date | null }>> {
    const rows = await sql<{ sensorId: string; sensorName: string; organizationId: string; organizationName: string; siteName: string; policy: string | null; bundleVersion: string | null; latestVersion: string | null; lastHeartbeatAt: Date | null }>`
      select s.id as sensor_id, s.name as sensor_name, s.organization_id, o.name as organization_name, si.name as site_name, p.name as policy,
        s.bundle_version, (select b.version from bundles b where b.policy_id = p.id order by b.seq desc limit 1) as latest_version, s.last_heartbeat_at
      from sensors s
      join organizations o on o.id = s.organization_id
      join sites si on si.id = s.site_id
      left join bundle_policies p on p.id = coalesce(o.bundle_policy_id, (select d.id from bundle_policies d where d.name = ${DEFAULT_POLICY}))
      where s.status = 'active'
      order by o.name, si.name, s.name, s.id`.execute(this.db);
    return rows.rows;
  }
}
