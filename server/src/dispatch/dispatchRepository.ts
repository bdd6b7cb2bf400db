/**
 * SQL of on-site dispatch: vendor profiles, jobs, offers and files. Reads of jobs take an
 * `JobViewer`: operator staff see every job, a subscriber its own, a vendor only the jobs it holds or
 * has a pending offer for.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import { helpdeskDb, type DispatchFilesTable, type DispatchJobsTable, type DispatchOffersTable, type HelpdeskDb, type VendorProfilesTable } from '../helpdesk/helpdeskTables.ts';
import type { VendorForMatching } from './dispatchCandidates.ts';

export type DispatchJobRow = Selectable<DispatchJobsTable>;
export type DispatchOfferRow = Selectable<DispatchOffersTable>;
export type DispatchFileMeta = Omit<Selectable<DispatchFilesTable>, 'content'>;
export type VendorProfileRow = Selectable<VendorProfilesTable>;

export type JobViewer = { kind: 'all' } | { kind: 'subscriber'; organizationId: string } | { kind: 'vendor'; organizationId: string };

/** Jobs a vendor is carrying (counted against its capacity). */
const OPEN_JOB_STATUSES = ['accepted', 'on_site', 'reported'] as const;

export class DispatchRepository {
  private readonly db: HelpdeskDb;
  constructor(db: Db) {
    this.db = helpdeskDb(db);
  }

  async organizationKind(id: string): Promise<string | undefined> {
    return (await this.db.selectFrom('organizations').select('kind').where('id', '=', id).executeTakeFirst())?.kind;
  }

  async putVendor(profile: Omit<VendorProfileRow, 'areas' | 'skills'> & { areas: unknown; skills: unknown }): Promise<void> {
    const values = { ...profile, areas: JSON.stringify(profile.areas), skills: JSON.stringify(profile.skills) };
    await this.db.insertInto('vendorProfiles').values(values).onConflict((oc) => oc.column('organizationId').doUpdateSet(values)).execute();
  }

  async listVendors(): Promise<Array<VendorProfileRow & { openJobs: number }>> {
    const rows = await this.db
      .selectFrom('vendorProfiles')
      .selectAll('vendorProfiles')
      .select((eb) =>
        eb
          .selectFrom('dispatchJobs')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('dispatchJobs.vendorOrganizationId', '=', 'vendorProfiles.organizationId')
          .where('dispatchJobs.status', 'in', OPEN_JOB_STATUSES)
          .as('openJobs'),
      )
      .orderBy('companyName')
      .execute();
    return rows.map((r) => ({ ...r, openJobs: Number(r.openJobs ?? 0) }));
  }

  async vendorsForMatching(): Promise<VendorForMatching[]> {
    return (await this.listVendors()).map((v) => ({ organizationId: v.organizationId, companyName: v.companyName, areas: v.areas, skills: v.skills, capacity: v.capacity, openJobs: v.openJobs, hourlyRateYen: v.hourlyRateYen, active: v.active }));
  }

  async vendor(organizationId: string): Promise<VendorProfileRow | undefined> {
    return this.db.selectFrom('vendorProfiles').selectAll().where('organizationId', '=', organizationId).executeTakeFirst();
  }

  async site(siteId: string): Promise<{ id: string; organizationId: string; name: string; address: string | null; prefecture: string | null; city: string | null } | undefined> {
    return this.db
      .selectFrom('sites')
      .innerJoin('organizations', 'organizations.id', 'sites.organizationId')
      .select(['sites.id', 'sites.organizationId', 'sites.name', 'sites.address', 'organizations.prefecture', 'organizations.city'])
      .where('sites.id', '=', siteId)
      .executeTakeFirst();
  }

  async insertJob(job: Omit<DispatchJobRow, 'id' | 'status' | 'vendorOrganizationId' | 'arrivedAt' | 'workDone' | 'minutesWorked' | 'costYen' | 'report' | 'reportedAt' | 'signedOffUserId' | 'signedOffAt'>): Promise<DispatchJobRow> {
    return this.db.insertInto('dispatchJobs').values(job).returningAll().executeTakeFirstOrThrow();
  }

  async getJob(id: string, viewer: JobViewer): Promise<DispatchJobRow | undefined> {
    return this.db.selectFrom('dispatchJobs').selectAll().where('id', '=', id).where(visibleTo(viewer)).executeTakeFirst();
  }

  async listJobs(viewer: JobViewer, limit: number): Promise<DispatchJobRow[]> {
    return this.db.selectFrom('dispatchJobs').selectAll().where(visibleTo(viewer)).orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async updateJob(id: string, patch: Partial<Omit<DispatchJobRow, 'id' | 'organizationId' | 'createdAt'>>): Promise<DispatchJobRow> {
    return this.db.updateTable('dispatchJobs').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  async offers(jobId: string): Promise<DispatchOfferRow[]> {
    return this.db.selectFrom('dispatchOffers').selectAll().where('jobId', '=', jobId).orderBy('rank').execute();
  }

  /** The new offer, or undefined when the job already has one waiting (or this vendor was asked): a concurrent offer won. */
  async insertOffer(offer: { jobId: string; vendorOrganizationId: string; rank: number; offeredAt: Date; deadlineAt: Date }): Promise<DispatchOfferRow | undefined> {
    try {
      return await this.db.insertInto('dispatchOffers').values(offer).returningAll().executeTakeFirstOrThrow();
    } catch (error) {
      if ((error as { code?: string } | null)?.code === '23505') return undefined;
      throw error;
    }
  }

  /** Answers a pending offer; false when it was no longer pending (answered or expired meanwhile). */
  async answerOffer(offerId: string, status: 'accepted' | 'declined' | 'expired', at: Date, reason: string | null): Promise<boolean> {
    const result = await this.db.updateTable('dispatchOffers').set({ status, answeredAt: at, reason }).where('id', '=', offerId).where('status', '=', 'pending').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async overdueOffers(now: Date): Promise<DispatchOfferRow[]> {
    return this.db.selectFrom('dispatchOffers').selectAll().where('status', '=', 'pending').where('deadlineAt', '<', now).orderBy('deadlineAt').limit(500).execute();
  }

  async insertFile(file: Omit<Selectable<DispatchFilesTable>, 'id'>): Promise<DispatchFileMeta> {
    return this.db.insertInto('dispatchFiles').values(file).returning(['id', 'jobId', 'vendorOrganizationId', 'fileName', 'contentType', 'sizeBytes', 'sha256', 'createdAt']).executeTakeFirstOrThrow();
  }

  async files(jobId: string): Promise<DispatchFileMeta[]> {
    return this.db.selectFrom('dispatchFiles').select(['id', 'jobId', 'vendorOrganizationId', 'fileName', 'contentType', 'sizeBytes', 'sha256', 'createdAt']).where('jobId', '=', jobId).orderBy('createdAt').execute();
  }

  /** One file with its bytes, when it belongs to the job. */
  async file(jobId: string, fileId: string): Promise<Selectable<DispatchFilesTable> | undefined> {
    return this.db.selectFrom('dispatchFiles').selectAll().where('jobId', '=', jobId).where('id', '=', fileId).executeTakeFirst();
  }

  /** Organization names by id (the subscriber and vendors named on a job). */
  async organizationNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async ticketOrganization(ticketId: string): Promise<string | null | undefined> {
    const row = await this.db.selectFrom('tickets').select('organizationId').where('id', '=', ticketId).executeTakeFirst();
    return row ? row.organizationId : undefined;
  }

  async incidentOrganization(incidentId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('incidents').select('organizationId').where('id', '=', incidentId).executeTakeFirst())?.organizationId;
  }

  /** The jobs of an incident (directly or through its tickets), for the insurer's evidence pack. */
  async jobsOfIncident(incidentId: string): Promise<DispatchJobRow[]> {
    return this.db
      .selectFrom('dispatchJobs')
      .selectAll()
      .where((eb) => eb.or([eb('incidentId', '=', incidentId), eb('ticketId', 'in', eb.selectFrom('tickets').select('id').where('incidentId', '=', incidentId))]))
      .orderBy('createdAt')
      .execute();
  }
}

/** The tenant condition of a job query (the vendor's case needs its offers, so it is SQL, not restrictToTenant). */
function visibleTo(viewer: JobViewer) {
  if (viewer.kind === 'all') return sql<boolean>`true`;
  if (viewer.kind === 'subscriber') return sql<boolean>`dispatch_jobs.organization_id = ${viewer.organizationId}`;
  // A vendor: the jobs it holds, or one offered to it and still waiting for its answer.
  return sql<boolean>`(dispatch_jobs.vendor_organization_id = ${viewer.organizationId} or exists (
    select 1 from dispatch_offers o where o.job_id = dispatch_jobs.id and o.vendor_organization_id = ${viewer.organizationId} and o.status = 'pending'))`;
}
