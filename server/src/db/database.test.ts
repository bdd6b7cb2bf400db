import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase } from './testDatabase.ts';
import { migrateToLatest, migrationNames } from './migrations/index.ts';
import type { Database } from './database.ts';

describe(`database (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('applies every migration once and is idempotent', async () => {
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
    expect(applied.rows.map((r) => r.name)).toEqual(migrationNames);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('maps camelCase to snake_case both ways', async () => {
    const org = await database.db
      .insertInto('organizations')
      .values({ kind: 'subscriber', name: '大阪テスト株式会社', nameKana: 'オオサカテスト', membership: 'member' })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(org.nameKana).toBe('オオサカテスト');
    expect(org.createdAt).toBeInstanceOf(Date);
  });

  it('rejects a subscriber without membership (constraint)', async () => {
    await expect(
      database.db.insertInto('organizations').values({ kind: 'subscriber', name: 'x', nameKana: null, membership: null, prefecture: null, city: null }).execute(),
    ).rejects.toThrow();
  });

  it('serialises concurrent transactions on one connection without interleaving', async () => {
    const run = (name: string) =>
      database.db.transaction().execute(async (trx) => {
        const org = await trx.insertInto('organizations').values({ kind: 'vendor', name }).returning('id').executeTakeFirstOrThrow();
        await trx.insertInto('sites').values({ organizationId: org.id, name: `${name}-site` }).execute();
        if (name === 'fails') throw new Error('rollback');
      });
    const results = await Promise.allSettled([run('ok1'), run('fails'), run('ok2')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = await database.db.selectFrom('organizations').select('name').where('kind', '=', 'vendor').orderBy('name').execute();
    expect(names.map((n) => n.name)).toEqual(['ok1', 'ok2']);
  });
});
