/**
 * On-site dispatch (駆け付け): the desk turns a ticket or incident into a job; Otasuke offers it to
 * the best vendor by area, skill and room (dispatchCandidates.ts), mails the vendor, and moves to the
 * next one when the vendor declines or lets the deadline pass (`expireOffers`, run by a job with the
 * injected clock). The vendor then records arrival, files, work, time and cost, and a report the
 * customer signs off. A vendor sees only the place, contact and problem of the jobs offered to it.
 */
import { createHash } from 'node:crypto';
import { isOperatorRole } from '@otasuke/shared';
import type { DispatchCandidate, DispatchCreate, DispatchFileUpload, DispatchReport, VendorProfile, VendorProfileInput } from '@otasuke/shared';
import type { AccessScope, RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import { AppError, BadRequestError, ConflictError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import { iso } from '../helpdesk/helpdeskTables.ts';
import { translate } from '../i18n/catalog.ts';
import type { MailService } from '../mail/mailService.ts';
import { ineligibility, rankCandidates, type Ineligibility } from './dispatchCandidates.ts';
import type { DispatchJobRow, DispatchRepository, JobViewer } from './dispatchRepository.ts';
import type { DispatchJobDetail } from './dispatchSchemas.ts';

type DispatchJob = DispatchJobDetail;

/** Photos and small documents only: the database is no file store. */
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_FILES_PER_JOB = 20;

/** Two offers for one job at the same moment: the second is refused (the first one's vendor is being asked). */
const offerRaceText = 'an offer is still waiting for the vendor’s answer';

export class DispatchService {
  constructor(
    private readonly repository: DispatchRepository,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    private readonly links: { readonly publicUrl: string },
  ) {}

  async listVendors(): Promise<VendorProfile[]> {
    return (await this.repository.listVendors()).map((v) => ({
      organizationId: v.organizationId,
      companyName: v.companyName,
      areas: v.areas,
      skills: v.skills,
      businessHours: v.businessHours,
      hourlyRateYen: v.hourlyRateYen,
      callOutFeeYen: v.callOutFeeYen,
      capacity: v.capacity,
      contactName: v.contactName,
      contactEmail: v.contactEmail,
      contactPhone: v.contactPhone,
      active: v.active,
      openJobs: v.openJobs,
    }));
  }

  async putVendor(context: RequestContext, organizationId: string, profile: VendorProfileInput): Promise<VendorProfile> {
    const kind = await this.repository.organizationKind(organizationId);
    if (!kind) throw new NotFoundError('organization');
    if (kind !== 'vendor') throw new BadRequestError(`organization ${organizationId} is a ${kind}; create a vendor organization first (POST /organizations with kind "vendor")`);
    await this.repository.putVendor({ organizationId, ...profile, updatedAt: this.clock.now() });
    await this.audit.record(context, { action: 'vendor.put', organizationId, targetType: 'vendor', targetId: organizationId });
    return (await this.listVendors()).find((v) => v.organizationId === organizationId)!;
  }

  async create(context: RequestContext, body: DispatchCreate): Promise<DispatchJob> {
    const scope = requireScope(context);
    const site = await this.repository.site(body.siteId);
    if (!site) throw new NotFoundError('site');
    const owners = [
      ...(body.ticketId ? [await this.repository.ticketOrganization(body.ticketId)] : []),
      ...(body.incidentId ? [await this.repository.incidentOrganization(body.incidentId)] : []),
    ];
    if (owners.some((o) => o === undefined)) throw new NotFoundError(body.ticketId ? 'ticket' : 'incident');
    if (owners.some((o) => o !== site.organizationId)) throw new BadRequestError('the site must belong to the subscriber of the ticket or incident (attach an unassigned ticket to its subscriber first)');
    const job = await this.repository.insertJob({
      organizationId: site.organizationId,
      ticketId: body.ticketId ?? null,
      incidentId: body.incidentId ?? null,
      siteId: site.id,
      siteName: site.name,
      prefecture: site.prefecture,
      city: site.city,
      address: site.address,
      contactName: body.contactName,
      contactPhone: body.contactPhone,
      problem: body.problem,
      skill: body.skill,
      offerMinutes: body.offerMinutes,
      createdAt: this.clock.now(),
    });
    await this.audit.record(context, { action: 'dispatch.create', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: job.id });
    return this.view(scope, job);
  }

  async candidates(scope: AccessScope, id: string): Promise<DispatchCandidate[]> {
    const job = await this.find(scope, id);
    const offered = new Set((await this.repository.offers(id)).map((o) => o.vendorOrganizationId));
    return rankCandidates(job, await this.repository.vendorsForMatching(), offered);
  }

  /** The desk's offer: to the vendor it chose when it names one, otherwise to the next best. */
  async offer(context: RequestContext, id: string, vendorId: string | undefined): Promise<DispatchJob> {
    return vendorId === undefined ? this.offerNext(context, id) : this.offerChosen(context, id, vendorId);
  }

  /** Offers the job to the best vendor not yet asked; none left → the job is unfilled (the desk calls around). */
  async offerNext(context: RequestContext, id: string): Promise<DispatchJob> {
    const scope = requireScope(context);
    const job = await this.openForOffer(scope, id);
    const updated = await this.offerToNextCandidate(context, job);
    if (!updated) throw new ConflictError(offerRaceText);
    return this.view(scope, updated);
  }

  /**
   * Offers the job to one of its current candidates the desk picked (same rules as the next best:
   * active, skilled, with room, serving the place, not asked before). Anything else is refused with
   * the reason in `details.reason` and nothing changes; a declined or expired chosen offer moves on
   * to the next best like any other.
   */
  async offerChosen(context: RequestContext, id: string, vendorId: string): Promise<DispatchJob> {
    const scope = requireScope(context);
    const job = await this.openForOffer(scope, id);
    const offers = await this.repository.offers(id);
    const asked = new Set(offers.map((o) => o.vendorOrganizationId));
    const vendors = await this.repository.vendorsForMatching();
    const ranked = rankCandidates(job, vendors, asked);
    const index = ranked.findIndex((c) => c.organizationId === vendorId);
    if (index < 0) {
      const vendor = vendors.find((v) => v.organizationId === vendorId);
      // An unknown id and another organization's id (no vendor profile) answer alike.
      const reason: ChosenVendorRefusal = vendor ? (ineligibility(job, vendor, asked) ?? 'no_area') : 'not_a_vendor';
      throw new ConflictError(`${vendorId} is not a candidate for this job: ${REFUSAL_TEXT[reason]}; pick one from GET /dispatch/jobs/${id}/candidates`, { reason, vendorId });
    }
    const updated = await this.offerTo(context, job, ranked[index]!, offers.length + 1, { chosenBy: 'desk', candidateRank: index + 1 });
    if (!updated) throw new ConflictError(offerRaceText);
    return this.view(scope, updated);
  }

  async accept(context: RequestContext, id: string): Promise<DispatchJob> {
    const scope = requireScope(context);
    const job = await this.find(scope, id);
    const offer = await this.pendingOfferOf(job, scope.organizationId);
    const now = this.clock.now();
    if (now.getTime() > new Date(offer.deadlineAt).getTime()) {
      await this.expire(context, job.id, offer.id);
      throw new ConflictError('the offer has expired and went to the next vendor');
    }
    if (!(await this.repository.answerOffer(offer.id, 'accepted', now, null))) throw new ConflictError('the offer was answered meanwhile');
    const updated = await this.repository.updateJob(id, { status: 'accepted', vendorOrganizationId: scope.organizationId });
    await this.audit.record(context, { action: 'dispatch.accept', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: id, details: { vendor: scope.organizationId } });
    return this.view(scope, updated);
  }

  async decline(context: RequestContext, id: string, reason: string): Promise<{ declined: true }> {
    const scope = requireScope(context);
    const job = await this.find(scope, id);
    const offer = await this.pendingOfferOf(job, scope.organizationId);
    if (!(await this.repository.answerOffer(offer.id, 'declined', this.clock.now(), reason))) throw new ConflictError('the offer was answered meanwhile');
    await this.audit.record(context, { action: 'dispatch.decline', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: id, details: { vendor: scope.organizationId, reason } });
    await this.offerToNextCandidate(context, job);
    return { declined: true };
  }

  /** The deadline check: every pending offer past its deadline expires and the job moves on. */
  async expireOffers(context: RequestContext): Promise<{ expired: number }> {
    let expired = 0;
    for (const offer of await this.repository.overdueOffers(this.clock.now())) {
      if (await this.expire(context, offer.jobId, offer.id)) expired++;
    }
    return { expired };
  }

  async arrive(context: RequestContext, id: string, arrivedAt: string | undefined): Promise<DispatchJob> {
    const scope = requireScope(context);
    const job = await this.heldBy(scope, id, ['accepted']);
    const at = arrivedAt ? new Date(arrivedAt) : this.clock.now();
    if (Number.isNaN(at.getTime()) || at.getTime() > this.clock.now().getTime() + 5 * 60_000) throw new BadRequestError('arrivedAt must be an ISO 8601 time, not in the future');
    const updated = await this.repository.updateJob(id, { status: 'on_site', arrivedAt: at });
    await this.audit.record(context, { action: 'dispatch.arrive', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: id });
    return this.view(scope, updated);
  }

  async addFile(context: RequestContext, id: string, file: DispatchFileUpload): Promise<DispatchJob> {
    const scope = requireScope(context);
    const job = await this.heldBy(scope, id, ['accepted', 'on_site']);
    const content = Buffer.from(file.contentBase64, 'base64');
    if (content.length === 0 || content.toString('base64').replace(/=+$/, '') !== file.contentBase64.replace(/\s/g, '').replace(/=+$/, '')) throw new BadRequestError('contentBase64 is not valid base64');
    if (content.length > MAX_FILE_BYTES) throw new AppError('payload_too_large', 413, `the file is ${content.length} bytes; the limit is ${MAX_FILE_BYTES} (shrink the photo or send a PDF)`);
    if ((await this.repository.files(id)).length >= MAX_FILES_PER_JOB) throw new ConflictError(`a job holds at most ${MAX_FILES_PER_JOB} files`);
    await this.repository.insertFile({ jobId: id, vendorOrganizationId: scope.organizationId, fileName: file.fileName, contentType: file.contentType, sizeBytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), content, createdAt: this.clock.now() });
    await this.audit.record(context, { action: 'dispatch.file', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: id, details: { fileName: file.fileName, bytes: content.length } });
    return this.view(scope, await this.find(scope, id));
  }

  async report(context: RequestContext, id: string, report: DispatchReport): Promise<DispatchJob> {
    const scope = requireScope(context);
    const job = await this.heldBy(scope, id, ['on_site']);
    const updated = await this.repository.updateJob(id, { status: 'reported', workDone: report.workDone, minutesWorked: report.minutesWorked, costYen: report.costYen, report: report.report, reportedAt: this.clock.now() });
    await this.audit.record(context, { action: 'dispatch.report', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: id, details: { costYen: report.costYen, minutesWorked: report.minutesWorked } });
    return this.view(scope, updated);
  }

  async signOff(context: RequestContext, id: string): Promise<DispatchJob> {
    const scope = requireScope(context);
    const job = await this.find(scope, id);
    if (job.status !== 'reported') throw new ConflictError(`the vendor has not reported yet (the job is ${job.status})`);
    const updated = await this.repository.updateJob(id, { status: 'signed_off', signedOffUserId: scope.userId, signedOffAt: this.clock.now() });
    await this.audit.record(context, { action: 'dispatch.sign_off', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: id });
    return this.view(scope, updated);
  }

  async get(scope: AccessScope, id: string): Promise<DispatchJob> {
    return this.view(scope, await this.find(scope, id));
  }

  async list(scope: AccessScope, limit: number): Promise<DispatchJob[]> {
    const rows = await this.repository.listJobs(viewerOf(scope), limit);
    return Promise.all(rows.map((r) => this.view(scope, r)));
  }

  /**
   * A file of a job, for its vendor (the one holding the job), its subscriber and the desk. A vendor
   * that was only offered the job, or declined it, gets the same 404 as for a missing file.
   */
  async file(scope: AccessScope, id: string, fileId: string): Promise<{ fileName: string; contentType: string; content: Buffer }> {
    const job = await this.find(scope, id);
    if (scope.organizationKind === 'vendor' && job.vendorOrganizationId !== scope.organizationId) throw new NotFoundError('dispatch file');
    const file = await this.repository.file(job.id, fileId);
    if (!file) throw new NotFoundError('dispatch file');
    return { fileName: file.fileName, contentType: file.contentType, content: Buffer.from(file.content) };
  }

  private async find(scope: AccessScope, id: string): Promise<DispatchJobRow> {
    const job = await this.repository.getJob(id, viewerOf(scope));
    if (!job) throw new NotFoundError('dispatch job');
    return job;
  }

  private async heldBy(scope: AccessScope, id: string, statuses: readonly DispatchJobRow['status'][]): Promise<DispatchJobRow> {
    const job = await this.find(scope, id);
    if (job.vendorOrganizationId !== scope.organizationId) throw new NotFoundError('dispatch job');
    if (!statuses.includes(job.status)) throw new ConflictError(`the job is ${job.status}; this step needs it ${statuses.join(' or ')}`);
    return job;
  }

  private async pendingOfferOf(job: DispatchJobRow, vendorId: string) {
    const offer = (await this.repository.offers(job.id)).find((o) => o.vendorOrganizationId === vendorId && o.status === 'pending');
    if (!offer) throw new NotFoundError('dispatch job');
    return offer;
  }

  private async expire(context: RequestContext, jobId: string, offerId: string): Promise<boolean> {
    if (!(await this.repository.answerOffer(offerId, 'expired', this.clock.now(), null))) return false;
    const job = await this.repository.getJob(jobId, { kind: 'all' });
    if (!job) return false;
    await this.audit.record(context, { action: 'dispatch.expire', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: jobId });
    await this.offerToNextCandidate(context, job);
    return true;
  }

  /** A job the desk may offer now: still looking for a vendor, and no offer waiting for an answer. */
  private async openForOffer(scope: AccessScope, id: string): Promise<DispatchJobRow> {
    const job = await this.find(scope, id);
    if (job.status !== 'requested' && job.status !== 'offered' && job.status !== 'unfilled') throw new ConflictError(`the job is already ${job.status}`);
    const offers = await this.repository.offers(id);
    if (offers.some((o) => o.status === 'pending')) throw new ConflictError(offerRaceText);
    return job;
  }

  /** The job as offered (or unfilled); null when another offer for it went in first (after a decline or expiry that is fine: it is being offered). */
  private async offerToNextCandidate(context: RequestContext, job: DispatchJobRow): Promise<DispatchJobRow | null> {
    const offers = await this.repository.offers(job.id);
    const next = rankCandidates(job, await this.repository.vendorsForMatching(), new Set(offers.map((o) => o.vendorOrganizationId)))[0];
    if (!next) {
      const updated = await this.repository.updateJob(job.id, { status: 'unfilled' });
      await this.audit.record(context, { action: 'dispatch.unfilled', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: job.id });
      return updated;
    }
    return this.offerTo(context, job, next, offers.length + 1);
  }

  /** Records the offer with its deadline, mails the vendor and audits it (`extra`: how the vendor was picked). */
  private async offerTo(context: RequestContext, job: DispatchJobRow, next: DispatchCandidate, rank: number, extra: Record<string, unknown> = {}): Promise<DispatchJobRow | null> {
    const now = this.clock.now();
    const deadlineAt = new Date(now.getTime() + job.offerMinutes * 60_000);
    const inserted = await this.repository.insertOffer({ jobId: job.id, vendorOrganizationId: next.organizationId, rank, offeredAt: now, deadlineAt });
    // Another offer for this job went in first (the database keeps one waiting offer per job): no mail, no audit.
    if (!inserted) return null;
    const updated = await this.repository.updateJob(job.id, { status: 'offered' });
    const vendor = (await this.repository.vendor(next.organizationId))!;
    const vars = {
      company: vendor.companyName,
      prefecture: job.prefecture ?? '',
      city: job.city ?? '',
      skill: job.skill,
      problem: job.problem,
      deadline: deadlineAt.toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' }),
      link: `${this.links.publicUrl}/dispatch/jobs/${job.id}`,
    };
    // The mail names the place and the problem only; the address and contact are shown once accepted in the portal.
    await this.mail.enqueue({ organizationId: next.organizationId, to: vendor.contactEmail, subject: translate('ja', 'mail.dispatch.offer.subject', vars), text: translate('ja', 'mail.dispatch.offer.body', vars) });
    await this.audit.record(context, { action: 'dispatch.offer', organizationId: job.organizationId, targetType: 'dispatch_job', targetId: job.id, details: { vendor: next.organizationId, match: next.match, ...extra } });
    return updated;
  }

  private async view(scope: AccessScope, job: DispatchJobRow): Promise<DispatchJob> {
    const offers = await this.repository.offers(job.id);
    const files = await this.repository.files(job.id);
    const vendorView = scope.organizationKind === 'vendor';
    const names = await this.repository.organizationNames([job.organizationId, ...(job.vendorOrganizationId ? [job.vendorOrganizationId] : []), ...offers.map((o) => o.vendorOrganizationId)]);
    const myOffer = vendorView ? offers.find((o) => o.vendorOrganizationId === scope.organizationId && o.status === 'pending') : offers.find((o) => o.status === 'pending');
    return {
      id: job.id,
      status: job.status,
      skill: job.skill,
      problem: job.problem,
      siteName: job.siteName,
      prefecture: job.prefecture,
      city: job.city,
      address: job.address,
      contactName: job.contactName,
      contactPhone: job.contactPhone,
      companyName: names.get(job.organizationId) ?? '',
      vendorOrganizationId: job.vendorOrganizationId,
      vendorName: job.vendorOrganizationId ? (names.get(job.vendorOrganizationId) ?? null) : null,
      offerDeadlineAt: myOffer ? iso(myOffer.deadlineAt) : null,
      arrivedAt: iso(job.arrivedAt),
      workDone: job.workDone,
      minutesWorked: job.minutesWorked,
      costYen: job.costYen,
      report: job.report,
      reportedAt: iso(job.reportedAt),
      signedOffAt: iso(job.signedOffAt),
      files: files.map((f) => ({ id: f.id, fileName: f.fileName, contentType: f.contentType, sizeBytes: f.sizeBytes, sha256: f.sha256 })),
      // What the vendor does not need: which subscriber, its tickets and incidents, other vendors' offers.
      organizationId: vendorView ? null : job.organizationId,
      ticketId: vendorView ? null : job.ticketId,
      incidentId: vendorView ? null : job.incidentId,
      offers: vendorView
        ? null
        : offers.map((o) => ({ vendorOrganizationId: o.vendorOrganizationId, rank: o.rank, offeredAt: iso(o.offeredAt)!, deadlineAt: iso(o.deadlineAt)!, status: o.status, reason: o.reason, vendorName: names.get(o.vendorOrganizationId) ?? '' })),
      createdAt: iso(job.createdAt)!,
    };
  }
}

type ChosenVendorRefusal = Ineligibility | 'not_a_vendor';

/** The reason in the refusal's message (the console says it in Japanese from `details.reason`). */
const REFUSAL_TEXT: Record<ChosenVendorRefusal, string> = {
  not_a_vendor: 'no registered vendor has this id',
  inactive: 'the vendor is paused in the registry',
  already_offered: 'the vendor was already offered this job (declined, expired or accepted)',
  no_skill: 'the vendor does not do this kind of work',
  no_room: 'the vendor has no free capacity',
  no_area: 'the vendor does not serve the site’s area',
};

export function viewerOf(scope: AccessScope): JobViewer {
  if (isOperatorRole(scope.role) && scope.organizationKind === 'operator') return { kind: 'all' };
  if (scope.organizationKind === 'vendor') return { kind: 'vendor', organizationId: scope.organizationId };
  return { kind: 'subscriber', organizationId: scope.organizationId };
}

function requireScope(context: RequestContext): AccessScope {
  if (!context.scope) throw new UnauthenticatedError();
  return context.scope;
}
