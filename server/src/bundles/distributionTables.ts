/**
 * Row types of the distribution tables (migration 0008), kept beside the code that owns them and
 * joined onto the database type with Kysely's `withTables`.
 */
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { FeedImportResult } from '@otasuke/shared';
import type { Db } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface BundlePoliciesTable {
  id: Generated<string>;
  name: string;
  description: string | null;
  categories: ColumnType<string[], string | undefined, string>;
  localRules: ColumnType<string, string | undefined, string>;
  feedIds: ColumnType<string[], string | undefined, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ThreatFeedsTable {
  id: Generated<string>;
  name: string;
  format: string;
  source: string;
  scheduleMinutes: number | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  entriesText: ColumnType<string, string | undefined, string>;
  entryCount: ColumnType<number, number | undefined, number>;
  lastImport: ColumnType<Omit<FeedImportResult, 'rebuilt'> | null, string | null | undefined, string | null>;
  lastImportAt: NullableTimestamp;
  /** The last import that kept entries (ok or partial); migration 0014. */
  lastSuccessAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface BundleSigningKeysTable {
  id: Generated<string>;
  singleton: ColumnType<boolean, boolean | undefined, boolean>;
  publicKeyPem: string;
  privateKeyPem: string;
  createdAt: Timestamp;
}

export interface BundlesTable {
  id: Generated<string>;
  seq: Generated<string>;
  policyId: string;
  version: string;
  createdAt: Timestamp;
  body: Buffer | Uint8Array;
  signature: string;
  summary: Json<Record<string, unknown>>;
}

export type DistributionTables = {
  bundlePolicies: BundlePoliciesTable;
  threatFeeds: ThreatFeedsTable;
  bundleSigningKeys: BundleSigningKeysTable;
  bundles: BundlesTable;
  organizations: { bundlePolicyId: ColumnType<string | null, string | null | undefined, string | null> };
};

export type DistributionDb = Kysely<Tables & DistributionTables>;

export function distributionDb(db: Db): DistributionDb {
  return db.withTables<DistributionTables>();
}
