/**
 * SQL of insurance: policies (one per subscriber contract, created at application approval, with
 * coverage added here), claims with their stored evidence pack, and the questions on them. A claim
 * is visible to operator staff, to its subscriber, and to the insurer it was filed with — nobody else.
 */
import { sql, type Selectable } from 'kysely';
import type { CoverageItem } from '@otasuke/shared';
import type { Db } from '../db/database.ts';
import { helpdeskDb, type ClaimCommentsTable, type HelpdeskDb, type InsuranceClaimsTable } from '../helpdesk/helpdeskTables.ts';

export type ClaimRow = Omit<Selectable<InsuranceClaimsTable>, 'evidencePack'> & { policyNumber: string };
export type ClaimCommentRow = Selectable<ClaimCommentsTable>;
export type PolicyRow = { id: string; organizationId: string; insurerOrganizationId: string | null; policyNumber: string; periodStart: string; periodEnd: string | null; coverage: CoverageItem[] };

/** Operator staff: every claim; a subscriber: its own; an insurer: those filed with it. */
export type ClaimViewer = { kind: 'all' } | { kind: 'subscriber'; organizationId: string } | { kind: 'insurer'; organizationId: string };

export class InsuranceRepository {
  private readonly db: HelpdeskDb;
  constructor(db: Db) {
    this.db = helpdeskDb(db);
  }

  async policies(viewer: ClaimViewer): Promise<PolicyRow[]> {
    let q = this.db.selectFrom('insurancePolicies').select(['id', 'organizationId', 'insurerOrganizationId', 'policyNumber', 'periodStart', 'periodEnd', 'coverage']);
    if (viewer.kind === 'subscriber') q = q.where('organizationId', '=', viewer.organizationId);
    if (viewer.kind === 'insurer') q = q.where('insurerOrganizationId', '=', viewer.organizationId);
    return (await q.orderBy('createdAt').execute()).map(toPolicy);
  }

  async policy(id: string): Promise<PolicyRow | undefined> {
    const row = await this.db.selectFrom('insurancePolicies').select(['id', 'organizationId', 'insurerOrganizationId', 'policyNumber', 'periodStart', 'periodEnd', 'coverage']).where('id', '=', id).executeTakeFirst();
    return row ? toPolicy(row) : undefined;
  }

  /** The subscriber's policy in force on `date` (YYYY-MM-DD), with an insurer. */
  async policyInForce(organizationId: string, date: string): Promise<PolicyRow | undefined> {
    const row = await this.db
      .selectFrom('insurancePolicies')
      .select(['id', 'organizationId', 'insurerOrganizationId', 'policyNumber', 'periodStart', 'periodEnd', 'coverage'])
      .where('organizationId', '=', organizationId)
      .where('insurerOrganizationId', 'is not', null)
      .where('periodStart', '<=', date)
      .where((eb) => eb.or([eb('periodEnd', 'is', null), eb('periodEnd', '>=', date)]))
      .orderBy('periodStart', 'desc')
      .executeTakeFirst();
    return row ? toPolicy(row) : undefined;
  }

  async updatePolicy(id: string, patch: { insurerOrganizationId: string; coverage: CoverageItem[]; periodEnd?: string | null | undefined }): Promise<void> {
    await this.db
      .updateTable('insurancePolicies')
      .set({ insurerOrganizationId: patch.insurerOrganizationId, coverage: JSON.stringify(patch.coverage), ...(patch.periodEnd !== undefined ? { periodEnd: patch.periodEnd } : {}) })
      .where('id', '=', id)
      .execute();
  }

  async organization(id: string): Promise<{ id: string; kind: string; name: string } | undefined> {
    return this.db.selectFrom('organizations').select(['id', 'kind', 'name']).where('id', '=', id).executeTakeFirst();
  }

  async insertClaim(claim: Omit<Selectable<InsuranceClaimsTable>, 'id' | 'number' | 'status' | 'paidAmountYen' | 'outcomeNote' | 'decidedAt'>): Promise<string> {
    return (await this.db.insertInto('insuranceClaims').values(claim).returning('id').executeTakeFirstOrThrow()).id;
  }

  async openClaimOfIncident(incidentId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('insuranceClaims').select('id').where('incidentId', '=', incidentId).where('status', '=', 'filed').executeTakeFirst())?.id;
  }

  async getClaim(id: string, viewer: ClaimViewer): Promise<ClaimRow | undefined> {
    return this.claims(viewer).where('insuranceClaims.id', '=', id).executeTakeFirst();
  }

  async listClaims(viewer: ClaimViewer, limit: number): Promise<ClaimRow[]> {
    return this.claims(viewer).orderBy('insuranceClaims.createdAt', 'desc').limit(limit).execute();
  }

  private claims(viewer: ClaimViewer) {
    let q = this.db
      .selectFrom('insuranceClaims')
      .innerJoin('insurancePolicies', 'insurancePolicies.id', 'insuranceClaims.policyId')
      .select([
        'insuranceClaims.id',
        'insuranceClaims.number',
        'insuranceClaims.organizationId',
        'insuranceClaims.policyId',
        'insuranceClaims.insurerOrganizationId',
        'insuranceClaims.incidentId',
        'insuranceClaims.status',
        'insuranceClaims.description',
        'insuranceClaims.claimedAmountYen',
        'insuranceClaims.paidAmountYen',
        'insuranceClaims.outcomeNote',
        'insuranceClaims.decidedAt',
        'insuranceClaims.evidenceSha256',
        'insuranceClaims.filedByUserId',
        'insuranceClaims.createdAt',
        'insurancePolicies.policyNumber',
      ]);
    if (viewer.kind === 'subscriber') q = q.where('insuranceClaims.organizationId', '=', viewer.organizationId);
    if (viewer.kind === 'insurer') q = q.where('insuranceClaims.insurerOrganizationId', '=', viewer.organizationId);
    return q;
  }

  async evidencePack(id: string): Promise<Buffer> {
    const row = await this.db.selectFrom('insuranceClaims').select('evidencePack').where('id', '=', id).executeTakeFirstOrThrow();
    return Buffer.from(row.evidencePack);
  }

  async decide(id: string, outcome: { status: 'approved' | 'partially_approved' | 'denied'; paidAmountYen: number; outcomeNote: string | null; decidedAt: Date }): Promise<boolean> {
    const result = await this.db.updateTable('insuranceClaims').set(outcome).where('id', '=', id).where('status', '=', 'filed').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertComment(comment: Omit<ClaimCommentRow, 'id' | 'seq'>): Promise<void> {
    await this.db.insertInto('claimComments').values(comment).execute();
  }

  async comments(claimId: string): Promise<ClaimCommentRow[]> {
    return this.db.selectFrom('claimComments').selectAll().where('claimId', '=', claimId).orderBy('seq').execute();
  }

  async notificationLog(incidentId: string): Promise<unknown[]> {
    const rows = await sql<Record<string, unknown>>`select purpose, channel, target, status, attempts, error, at from notification_log where incident_id = ${incidentId} order by at, id`.execute(this.db);
    return rows.rows;
  }

  async ticketsOfIncident(incidentId: string) {
    const tickets = await this.db.selectFrom('tickets').select(['id', 'number', 'subject', 'status', 'source', 'category', 'priority', 'createdAt', 'resolvedAt']).where('incidentId', '=', incidentId).orderBy('number').execute();
    const out = [];
    for (const t of tickets) {
      // Customer-visible exchanges only: internal notes stay with the desk.
      const comments = await this.db.selectFrom('ticketComments').select(['source', 'body', 'createdAt']).where('ticketId', '=', t.id).where('visibility', '=', 'public').orderBy('seq').execute();
      out.push({ ...t, number: `T-${t.number}`, comments });
    }
    return out;
  }

  async vendorNames(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}

function toPolicy(row: { id: string; organizationId: string; insurerOrganizationId: string | null; policyNumber: string; periodStart: unknown; periodEnd: unknown; coverage: CoverageItem[] }): PolicyRow {
  return { ...row, periodStart: String(row.periodStart), periodEnd: row.periodEnd === null ? null : String(row.periodEnd) };
}
