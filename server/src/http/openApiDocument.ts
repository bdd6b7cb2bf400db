/** The OpenAPI document without a database: the app is built over a driver that never connects. */
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { systemClock } from '../clock.ts';
import type { Tables } from '../db/tables.ts';
import { createServices } from '../services.ts';
import { buildApp } from './app.ts';

export async function openApiDocument(): Promise<unknown> {
  const db = new Kysely<Tables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const services = createServices(db, systemClock, { publicUrl: 'http://localhost:8080', sessionIdleMinutes: 720, mailCharset: 'utf-8' });
  const app = await buildApp({ services, logger: false });
  const doc = app.swagger();
  await app.close();
  return doc;
}
