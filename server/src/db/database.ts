/**
 * The system of record is PostgreSQL: a real server when DATABASE_URL is set, otherwise PGlite
 * (PostgreSQL compiled to WebAssembly, in-process) stored under the data dir. Both run the same
 * SQL and the same migrations.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { pgliteDialect } from './pgliteDialect.ts';
import type { Tables } from './tables.ts';
import { migrateToLatest } from './migrations/index.ts';

export type Db = Kysely<Tables>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

// BIGINT and NUMERIC stay strings by default in pg; our counters fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export interface OpenDatabaseOptions {
  /** postgres:// URL; unset means embedded PGlite. */
  url?: string;
  /** Where PGlite keeps its files; unset (with no url) means in memory, for tests. */
  dataDir?: string;
  migrate?: boolean;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  let database: Database;
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    // An idle connection dropped by the server (restart, failover, admin) must not crash the
    // process: the pool replaces it on the next checkout.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL connection lost: ${err.message}`));
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
    database = { db, kind: 'postgres', close: () => db.destroy() };
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    let dir: string | undefined;
    if (options.dataDir) {
      dir = join(options.dataDir, 'pglite');
      mkdirSync(dir, { recursive: true });
    }
    const pglite = dir ? new PGlite(dir) : new PGlite();
    await pglite.waitReady;
    const db = new Kysely<Tables>({ dialect: pgliteDialect(pglite), plugins: [new CamelCasePlugin()] });
    database = {
      db,
      kind: 'pglite',
      async close() {
        await db.destroy();
        await pglite.close();
      },
    };
  }
  if (options.migrate ?? true) {
    try {
      await migrateToLatest(database.db);
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  return database;
}

export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
