import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';

export interface StoredEnrollmentCode {
  id: string;
  organizationId: string;
  siteId: string;
  sensorId: string;
  expiresAt: Date;
  usedAt: Date | null;
}

export type RedeemResult =
  | { status: 'invalid' }
  | { status: 'used' }
  | { status: 'expired' }
  | { status: 'revoked'; code: StoredEnrollmentCode }
  | { status: 'enrolled'; code: StoredEnrollmentCode };

/** Enrollment codes and sensor credentials; both stored only as SHA-256. */
export class EnrollmentRepository {
  constructor(private readonly db: Db) {}

  /** Stores a new code for a sensor; earlier unused codes of that sensor stop working. */
  async createCode(input: { organizationId: string; siteId: string; sensorId: string; codeHash: string; createdBy: string | null; expiresAt: Date; now: Date }): Promise<StoredEnrollmentCode> {
    return this.db.transaction().execute(async (tx) => {
      await tx.updateTable('enrollmentCodes').set({ usedAt: input.now }).where('sensorId', '=', input.sensorId).where('usedAt', 'is', null).execute();
      return tx
        .insertInto('enrollmentCodes')
        .values({ organizationId: input.organizationId, siteId: input.siteId, sensorId: input.sensorId, codeHash: input.codeHash, createdBy: input.createdBy, expiresAt: input.expiresAt })
        .returning(['id', 'organizationId', 'siteId', 'sensorId', 'expiresAt', 'usedAt'])
        .executeTakeFirstOrThrow();
    });
  }

  /**
   * Uses a code once: marks it used and gives its sensor the new credential (replacing any old one)
   * in one transaction. A concurrent second use finds the code already used.
   */
  async redeem(input: { codeHash: string; credentialHash: string; hostname: string | null; agentVersion: string | null; now: Date }): Promise<RedeemResult> {
    return this.db.transaction().execute(async (tx) => {
      const code = await tx
        .selectFrom('enrollmentCodes')
        .select(['id', 'organizationId', 'siteId', 'sensorId', 'expiresAt', 'usedAt'])
        .where('codeHash', '=', input.codeHash)
        .forUpdate()
        .executeTakeFirst();
      if (!code) return { status: 'invalid' };
      if (code.usedAt) return { status: 'used' };
      if (code.expiresAt.getTime() <= input.now.getTime()) return { status: 'expired' };
      const sensor = await tx.selectFrom('sensors').select(['status']).where('id', '=', code.sensorId).forUpdate().executeTakeFirst();
      if (!sensor) return { status: 'invalid' };
      if (sensor.status === 'revoked') return { status: 'revoked', code };
      const used = await tx.updateTable('enrollmentCodes').set({ usedAt: input.now }).where('id', '=', code.id).where('usedAt', 'is', null).executeTakeFirst();
      if (used.numUpdatedRows === 0n) return { status: 'used' };
      await tx
        .updateTable('sensors')
        .set({ status: 'active', credentialHash: input.credentialHash, enrolledAt: input.now, hostname: input.hostname, agentVersion: input.agentVersion })
        .where('id', '=', code.sensorId)
        .execute();
      return { status: 'enrolled', code: { ...code, usedAt: input.now } };
    });
  }

  /** The active sensor holding this credential (a revoked or replaced credential finds nothing). */
  async findSensorByCredential(credentialHash: string): Promise<{ sensorId: string; organizationId: string; siteId: string } | undefined> {
    const row = await this.db
      .selectFrom('sensors')
      .select(['id', 'organizationId', 'siteId'])
      .where('credentialHash', '=', credentialHash)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return row && { sensorId: row.id, organizationId: row.organizationId, siteId: row.siteId };
  }

  /** Retires a code that can still be used (like a newer code does); undefined when there is none of the caller's. */
  async revokeCode(filter: TenantFilter, id: string, now: Date): Promise<StoredEnrollmentCode | undefined> {
    let q = this.db.updateTable('enrollmentCodes').set({ usedAt: now }).where('id', '=', id).where('usedAt', 'is', null).where('expiresAt', '>', now);
    if (filter.kind === 'organization') q = q.where('organizationId', '=', filter.organizationId);
    return q.returning(['id', 'organizationId', 'siteId', 'sensorId', 'expiresAt', 'usedAt']).executeTakeFirst();
  }
}
