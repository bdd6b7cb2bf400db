/**
 * A fresh, migrated database for one test file: a new database on the real PostgreSQL when
 * OTASUKE_TEST_DATABASE_URL is set (CI sets it), otherwise an in-memory PGlite.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from './database.ts';

export async function openTestDatabase(): Promise<Database> {
  const serverUrl = process.env.OTASUKE_TEST_DATABASE_URL;
  if (!serverUrl) return openDatabase({});

  const name = `otasuke_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  return {
    ...database,
    async close() {
      await database.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      // Work a test left running (a request or hook still in flight) would be killed by the forced
      // drop and surface as an uncaught error in a later test: give it a moment to finish first.
      for (let i = 0; i < 50; i++) {
        const { rows } = await dropper.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (rows[0]!.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
