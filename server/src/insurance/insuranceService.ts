/**
 * Simple cyber insurance (簡易サイバー保険): the policy per subscriber contract (insurer, number,
 * coverage items and limits, period); a claim started from an incident by the subscriber or the
 * desk, carrying the evidence pack assembled at filing (so the insurer sees what was filed, even if
 * records move later); the insurer's questions and its outcome and payment. Every write is audited.
 */
import { createHash } from 'node:crypto';
import { isOperatorRole } from '@otasuke/shared';
import type { Claim, ClaimCreate, ClaimOutcome, InsurancePolicy, InsurancePolicyUpdate } from '@otasuke/shared';
import type { AccessScope, RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import type { DispatchRepository } from '../dispatch/dispatchRepository.ts';
import { iso } from '../helpdesk/helpdeskTables.ts';
import { BadRequestError, ConflictError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import { canonicalJson } from '../incidents/evidence.ts';
import type { IncidentService } from '../incidents/incidentService.ts';
import { renderClaimPdf } from './claimPdf.ts';
import { readPack, type ClaimSummary } from './claimSummary.ts';
import { buildEvidencePack } from './evidencePack.ts';
import type { ClaimRow, ClaimViewer, InsuranceRepository } from './insuranceRepository.ts';

/**
 * The evidence pack needs the analyst's view of the incident (evidence, timeline), which the filer
 * may not have; the filer's own right to the incident is checked first with the filer's scope.
 */
const EVIDENCE_READER: AccessScope = { userId: null, tokenId: null, sessionId: null, organizationId: '00000000-0000-0000-0000-000000000000', organizationKind: 'operator', role: 'analyst' };

export class InsuranceService {
  constructor(
    private readonly repository: InsuranceRepository,
    private readonly dispatch: DispatchRepository,
    private readonly incidents: IncidentService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async policies(scope: AccessScope): Promise<InsurancePolicy[]> {
    return this.repository.policies(viewerOf(scope));
  }

  async updatePolicy(context: RequestContext, id: string, patch: InsurancePolicyUpdate): Promise<InsurancePolicy> {
    const policy = await this.repository.policy(id);
    if (!policy) throw new NotFoundError('insurance policy');
    const insurer = await this.repository.organization(patch.insurerOrganizationId);
    if (insurer?.kind !== 'insurer') throw new BadRequestError('insurerOrganizationId must name an insurer organization');
    if (patch.periodEnd && patch.periodEnd < policy.periodStart) throw new BadRequestError(`periodEnd must not be before the period start ${policy.periodStart}`);
    await this.repository.updatePolicy(id, patch);
    await this.audit.record(context, { action: 'insurance_policy.update', organizationId: policy.organizationId, targetType: 'insurance_policy', targetId: id, details: { insurer: patch.insurerOrganizationId, coverage: patch.coverage.length } });
    return (await this.repository.policy(id))!;
  }

  async file(context: RequestContext, body: ClaimCreate): Promise<Claim> {
    const scope = requireScope(context);
    const seen = await this.incidents.get(scope, body.incidentId); // 404 for another tenant's incident
    const organizationId = seen.incident.organizationId;
    const now = this.clock.now();
    const today = new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    const policy = await this.repository.policyInForce(organizationId, today);
    if (!policy?.insurerOrganizationId) throw new ConflictError('the subscriber has no insurance policy in force with an insurer; the operator sets the insurer and coverage on the policy first');
    if (body.claimedAmountYen > policy.coverage.reduce((sum, c) => sum + c.limitYen, 0)) throw new BadRequestError('claimedAmountYen exceeds the sum of the policy’s coverage limits');
    if (await this.repository.openClaimOfIncident(body.incidentId)) throw new ConflictError('a claim for this incident is already waiting for the insurer');

    const full = await this.incidents.get(EVIDENCE_READER, body.incidentId);
    const analysis = full.analysis!;
    const tickets = await this.repository.ticketsOfIncident(body.incidentId);
    const jobs = (await this.dispatch.jobsOfIncident(body.incidentId)).filter((j) => j.organizationId === organizationId);
    const vendorNames = await this.repository.vendorNames(jobs.flatMap((j) => (j.vendorOrganizationId ? [j.vendorOrganizationId] : [])));
    const visits = [];
    for (const j of jobs) {
      visits.push({
        jobId: j.id,
        vendor: j.vendorOrganizationId ? (vendorNames.get(j.vendorOrganizationId) ?? j.vendorOrganizationId) : null,
        status: j.status,
        arrivedAt: iso(j.arrivedAt),
        workDone: j.workDone,
        minutesWorked: j.minutesWorked,
        costYen: j.costYen,
        report: j.report,
        signedOffAt: iso(j.signedOffAt),
        files: (await this.dispatch.files(j.id)).map((f) => ({ fileName: f.fileName, sizeBytes: f.sizeBytes, sha256: f.sha256 })),
      });
    }
    const alertsSha256 = createHash('sha256').update(canonicalJson(analysis.evidence)).digest('hex');
    const company = await this.repository.organization(organizationId);
    const insurer = await this.repository.organization(policy.insurerOrganizationId);
    const claimNumberHint = `${policy.policyNumber}/${body.incidentId.slice(0, 8)}`;
    const summaryPdf = await renderClaimPdf({
      claimNumber: claimNumberHint,
      filedAt: now.toISOString(),
      companyName: company?.name ?? '',
      policyNumber: policy.policyNumber,
      insurerName: insurer?.name ?? '',
      incident: { title: full.incident.title, priority: full.incident.priority, status: full.incident.status, firstSeenAt: full.incident.firstSeenAt, lastSeenAt: full.incident.lastSeenAt, alertCount: full.incident.alertCount },
      evidenceCount: analysis.evidence.length,
      alertsSha256,
      description: body.description,
      claimedAmountYen: body.claimedAmountYen,
      tickets: tickets.map((t) => ({ number: t.number, subject: t.subject, status: t.status })),
      visits: visits.map((v) => ({ vendor: v.vendor ?? '—', arrivedAt: v.arrivedAt, minutesWorked: v.minutesWorked, costYen: v.costYen, workDone: v.workDone })),
    });
    const pack = buildEvidencePack({
      incident: { ...full.incident, dedupKey: analysis.dedupKey, signature: analysis.signature, alertGroups: analysis.alertGroups, notes: analysis.notes },
      timeline: analysis.timeline,
      alerts: { sha256OfAll: alertsSha256, evidence: analysis.evidence },
      notifications: await this.repository.notificationLog(body.incidentId),
      tickets,
      dispatch: { visits, totalCostYen: visits.reduce((sum, v) => sum + (v.costYen ?? 0), 0) },
      summaryPdf,
    });
    const id = await this.repository.insertClaim({
      organizationId,
      policyId: policy.id,
      insurerOrganizationId: policy.insurerOrganizationId,
      incidentId: body.incidentId,
      description: body.description,
      claimedAmountYen: body.claimedAmountYen,
      evidencePack: pack,
      evidenceSha256: createHash('sha256').update(pack).digest('hex'),
      filedByUserId: scope.userId,
      createdAt: now,
    });
    await this.audit.record(context, { action: 'claim.file', organizationId, targetType: 'insurance_claim', targetId: id, details: { insurer: policy.insurerOrganizationId, claimedAmountYen: body.claimedAmountYen } });
    return this.get(scope, id);
  }

  async list(scope: AccessScope, limit: number): Promise<Claim[]> {
    const rows = await this.repository.listClaims(viewerOf(scope), limit);
    return Promise.all(rows.map((r) => this.toClaim(r)));
  }

  async get(scope: AccessScope, id: string): Promise<Claim> {
    return this.toClaim(await this.find(scope, id));
  }

  async evidencePack(scope: AccessScope, id: string): Promise<{ fileName: string; bytes: Buffer }> {
    const claim = await this.find(scope, id);
    return { fileName: `claim-C-${claim.number}-evidence.zip`, bytes: await this.repository.evidencePack(id) };
  }

  /** The claim's page for the insurer (and its subscriber, the desk): policy, coverage, incident as filed, pack contents. */
  async summary(scope: AccessScope, id: string): Promise<ClaimSummary> {
    const claim = await this.find(scope, id);
    const policy = await this.repository.policy(claim.policyId);
    if (!policy) throw new NotFoundError('insurance policy');
    const pack = await this.repository.evidencePack(id);
    const { files, incident } = readPack(pack);
    const company = await this.repository.organization(claim.organizationId);
    const insurer = await this.repository.organization(claim.insurerOrganizationId);
    return {
      claimId: claim.id,
      companyName: company?.name ?? '',
      insurerName: insurer?.name ?? '',
      policy: { policyNumber: policy.policyNumber, periodStart: policy.periodStart, periodEnd: policy.periodEnd, coverage: policy.coverage },
      incident,
      packFiles: files,
      packBytes: pack.length,
    };
  }

  async comment(context: RequestContext, id: string, body: string): Promise<Claim> {
    const scope = requireScope(context);
    const claim = await this.find(scope, id);
    await this.repository.insertComment({ claimId: id, authorUserId: scope.userId, authorOrganizationId: scope.organizationId, body, createdAt: this.clock.now() });
    await this.audit.record(context, { action: 'claim.comment', organizationId: claim.organizationId, targetType: 'insurance_claim', targetId: id });
    return this.get(scope, id);
  }

  async decide(context: RequestContext, id: string, outcome: ClaimOutcome): Promise<Claim> {
    const scope = requireScope(context);
    const claim = await this.find(scope, id);
    if (outcome.paidAmountYen > claim.claimedAmountYen) throw new BadRequestError(`paidAmountYen (${outcome.paidAmountYen}) exceeds the claimed ${claim.claimedAmountYen}`);
    if (outcome.outcome === 'approved' && outcome.paidAmountYen !== claim.claimedAmountYen) throw new BadRequestError('an approved claim pays the claimed amount; use partially_approved for less');
    if (!(await this.repository.decide(id, { status: outcome.outcome, paidAmountYen: outcome.paidAmountYen, outcomeNote: outcome.note ?? null, decidedAt: this.clock.now() }))) {
      throw new ConflictError(`the claim has already been decided (${claim.status})`);
    }
    await this.audit.record(context, { action: 'claim.decide', organizationId: claim.organizationId, targetType: 'insurance_claim', targetId: id, details: { outcome: outcome.outcome, paidAmountYen: outcome.paidAmountYen } });
    return this.get(scope, id);
  }

  private async find(scope: AccessScope, id: string): Promise<ClaimRow> {
    const claim = await this.repository.getClaim(id, viewerOf(scope));
    if (!claim) throw new NotFoundError('insurance claim');
    return claim;
  }

  private async toClaim(row: ClaimRow): Promise<Claim> {
    return {
      id: row.id,
      number: `C-${row.number}`,
      organizationId: row.organizationId,
      policyId: row.policyId,
      policyNumber: row.policyNumber,
      insurerOrganizationId: row.insurerOrganizationId,
      incidentId: row.incidentId,
      status: row.status,
      description: row.description,
      claimedAmountYen: row.claimedAmountYen,
      paidAmountYen: row.paidAmountYen,
      outcomeNote: row.outcomeNote,
      decidedAt: iso(row.decidedAt),
      evidenceSha256: row.evidenceSha256,
      comments: (await this.repository.comments(row.id)).map((c) => ({ id: c.id, authorUserId: c.authorUserId, authorOrganizationId: c.authorOrganizationId, body: c.body, createdAt: iso(c.createdAt)! })),
      createdAt: iso(row.createdAt)!,
    };
  }
}

export function viewerOf(scope: AccessScope): ClaimViewer {
  if (isOperatorRole(scope.role) && scope.organizationKind === 'operator') return { kind: 'all' };
  if (scope.organizationKind === 'insurer') return { kind: 'insurer', organizationId: scope.organizationId };
  return { kind: 'subscriber', organizationId: scope.organizationId };
}

function requireScope(context: RequestContext): AccessScope {
  if (!context.scope) throw new UnauthenticatedError();
  return context.scope;
}
