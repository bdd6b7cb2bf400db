import type { FeedImportResult, ThreatFeed, ThreatFeedCreate, ThreatFeedFormat } from '@otasuke/shared';
import { sql } from 'kysely';
import type { FeedLines } from '../bundles/bundleAssembly.ts';
import { distributionDb, type DistributionDb } from '../bundles/distributionTables.ts';
import type { Db } from '../db/database.ts';

const columns = ['id', 'name', 'format', 'source', 'scheduleMinutes', 'enabled', 'entryCount', 'lastImport', 'createdAt'] as const;

type FeedRow = { id: string; name: string; format: string; source: string; scheduleMinutes: number | null; enabled: boolean; entryCount: number; lastImport: Omit<FeedImportResult, 'rebuilt'> | null; createdAt: Date };

function toFeed(row: FeedRow): ThreatFeed {
  return { ...row, format: row.format as ThreatFeedFormat, createdAt: row.createdAt.toISOString() };
}

/** Threat feeds and their normalised entries (kept as the plain lines a bundle carries). */
export class FeedRepository {
  private readonly db: DistributionDb;
  constructor(db: Db) {
    this.db = distributionDb(db);
  }

  /** Undefined when the name is taken. */
  async create(input: ThreatFeedCreate, now: Date): Promise<ThreatFeed | undefined> {
    const row = await this.db
      .insertInto('threatFeeds')
      .values({ name: input.name, format: input.format, source: input.source, scheduleMinutes: input.scheduleMinutes, enabled: input.enabled, createdAt: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning(columns)
      .executeTakeFirst();
    return row && toFeed(row);
  }

  async list(): Promise<ThreatFeed[]> {
    return (await this.db.selectFrom('threatFeeds').select(columns).orderBy('name').execute()).map(toFeed);
  }

  async get(id: string): Promise<ThreatFeed | undefined> {
    const row = await this.db.selectFrom('threatFeeds').select(columns).where('id', '=', id).executeTakeFirst();
    return row && toFeed(row);
  }

  async entriesText(id: string): Promise<string | undefined> {
    return (await this.db.selectFrom('threatFeeds').select('entriesText').where('id', '=', id).executeTakeFirst())?.entriesText;
  }

  /** Records an import; the entries are replaced only when `entries` is given (a failed import keeps the old ones). */
  async recordImport(id: string, result: Omit<FeedImportResult, 'rebuilt'>, entries: { text: string; count: number } | null): Promise<void> {
    await this.db
      .updateTable('threatFeeds')
      .set({ lastImport: JSON.stringify(result), lastImportAt: result.importedAt, ...(entries ? { entriesText: entries.text, entryCount: entries.count, lastSuccessAt: result.importedAt } : {}) })
      .where('id', '=', id)
      .execute();
  }

  /** The enabled feeds among `ids`, in the given order, as bundle sections. */
  async feedLines(ids: readonly string[]): Promise<FeedLines[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('threatFeeds').select(['id', 'name', 'entriesText']).where('id', 'in', [...ids]).where('enabled', '=', true).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [{ name: row.name, lines: row.entriesText }] : [];
    });
  }

  /** URL feeds on a schedule whose next import is due at `now`. */
  async due(now: Date): Promise<ThreatFeed[]> {
    const rows = await this.db
      .selectFrom('threatFeeds')
      .select(columns)
      .where('enabled', '=', true)
      .where('scheduleMinutes', 'is not', null)
      .where('source', '<>', 'upload')
      .where((eb) => eb.or([eb('lastImportAt', 'is', null), eb('lastImportAt', '<=', sql<Date>`${now}::timestamptz - make_interval(mins => schedule_minutes)`)]))
      .orderBy('lastImportAt')
      .execute();
    return rows.map(toFeed);
  }

  /** Every feed with the time of its last successful import and the policies whose bundles carry it. */
  async overview(): Promise<Array<ThreatFeed & { lastSuccessAt: string | null; policies: string[] }>> {
    const rows = await this.db.selectFrom('threatFeeds').select([...columns, 'lastSuccessAt']).orderBy('name').execute();
    const policies = await this.db.selectFrom('bundlePolicies').select(['name', 'feedIds']).orderBy('name').execute();
    return rows.map(({ lastSuccessAt, ...row }) => ({
      ...toFeed(row),
      lastSuccessAt: lastSuccessAt?.toISOString() ?? null,
      policies: policies.filter((p) => p.feedIds.includes(row.id)).map((p) => p.name),
    }));
  }
}
