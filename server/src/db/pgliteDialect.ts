/**
 * Kysely speaks to the embedded PGlite through Kysely's own PostgreSQL driver: PGlite is adapted
 * to the small part of the `pg` pool interface that driver uses. PGlite is a single connection, so
 * a lease is exclusive: a transaction holds it from BEGIN to COMMIT and nobody else's statements
 * can slip into it.
 */
import type { PGlite } from '@electric-sql/pglite';
import { PostgresDialect } from 'kysely';

interface PoolClientLike {
  query(sql: string, parameters: readonly unknown[]): Promise<{ command: string; rowCount: number; rows: unknown[] }>;
  release(): void;
}

class ExclusiveLease {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return acquired;
  }
}

const commandOf = (sql: string) => /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';

export function pgliteDialect(pglite: PGlite): PostgresDialect {
  const lease = new ExclusiveLease();
  const pool = {
    async connect(): Promise<PoolClientLike> {
      const release = await lease.acquire();
      return {
        async query(sql, parameters) {
          const result = await pglite.query(sql, parameters as unknown[]);
          return { command: commandOf(sql), rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
        },
        release,
      };
    },
    async end() {
      // The owner of the PGlite instance closes it (see openDatabase).
    },
  };
  return new PostgresDialect({ pool: pool as never });
}
