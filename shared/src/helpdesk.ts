/**
 * The help desk (相談窓口), remote support, on-site dispatch (駆け付け) of local IT vendors, and
 * simple cyber-insurance claims: the API bodies the partners meet on.
 */
import { z } from 'zod';

const Text = (max: number) => z.string().trim().min(1).max(max);
const Timestamp = z.string().describe('ISO 8601');

export const ticketStatuses = ['new', 'open', 'pending_customer', 'resolved', 'closed'] as const;
export const TicketStatus = z.enum(ticketStatuses).meta({ id: 'TicketStatus' });
export type TicketStatus = z.infer<typeof TicketStatus>;
export const TicketCategory = z.enum(['security_incident', 'sensor', 'network', 'account', 'billing', 'other']).meta({ id: 'TicketCategory' });
export type TicketCategory = z.infer<typeof TicketCategory>;
export const TicketPriority = z.enum(['low', 'normal', 'high', 'urgent']).meta({ id: 'TicketPriority' });
export type TicketPriority = z.infer<typeof TicketPriority>;
export const TicketSource = z.enum(['portal', 'phone', 'email']).meta({ id: 'TicketSource' });
export type TicketSource = z.infer<typeof TicketSource>;

export const HelpRequestCreate = z
  .object({
    subject: Text(200),
    description: Text(8000),
    category: TicketCategory.default('other'),
    incidentId: z.uuid().optional().describe('the incident the customer was looking at when pressing help'),
  })
  .meta({ id: 'HelpRequestCreate' });
export type HelpRequestCreate = z.infer<typeof HelpRequestCreate>;

export const PhoneTicketCreate = z
  .object({
    organizationId: z.uuid().nullable().describe('the caller’s subscriber; null when not identified yet'),
    callerName: Text(200),
    callerPhone: z.string().trim().max(40).optional(),
    subject: Text(200),
    description: Text(8000),
    category: TicketCategory.default('other'),
    priority: TicketPriority.default('normal'),
    incidentId: z.uuid().optional(),
  })
  .meta({ id: 'PhoneTicketCreate' });
export type PhoneTicketCreate = z.infer<typeof PhoneTicketCreate>;

export const TicketUpdate = z
  .object({
    status: TicketStatus.optional(),
    priority: TicketPriority.optional(),
    category: TicketCategory.optional(),
    assigneeUserId: z.uuid().nullable().optional(),
    organizationId: z.uuid().optional().describe('attach an unassigned (unknown sender) ticket to a subscriber'),
  })
  .meta({ id: 'TicketUpdate' });
export type TicketUpdate = z.infer<typeof TicketUpdate>;

export const TicketCommentCreate = z
  .object({
    visibility: z.enum(['internal', 'public']).describe('internal: staff only; public: a reply mailed to the customer'),
    body: Text(8000).optional(),
    cannedReplyId: z.uuid().optional().describe('start from a canned reply (its text is used when `body` is absent)'),
  })
  .refine((c) => c.body !== undefined || c.cannedReplyId !== undefined, 'give `body` or `cannedReplyId`')
  .meta({ id: 'TicketCommentCreate' });
export type TicketCommentCreate = z.infer<typeof TicketCommentCreate>;

export const TicketSatisfaction = z.object({ rating: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() }).meta({ id: 'TicketSatisfaction' });

export const TicketComment = z
  .object({
    id: z.uuid(),
    visibility: z.enum(['internal', 'public']),
    source: TicketSource,
    authorUserId: z.uuid().nullable(),
    authorEmail: z.string().nullable(),
    authorName: z.string().nullable().describe('the writer’s name (customers see none for the desk’s people)'),
    fromDesk: z.boolean().describe('written by the help desk (operator staff)'),
    body: z.string(),
    createdAt: Timestamp,
  })
  .meta({ id: 'TicketComment' });
export type TicketComment = z.infer<typeof TicketComment>;

export const TicketContext = z
  .object({
    openIncidents: z.array(z.object({ id: z.uuid(), kind: z.string(), priority: z.string(), status: z.string(), lastSeenAt: Timestamp })),
    recentAlerts: z.array(
      z.object({
        id: z.uuid(),
        signature: z.string(),
        severity: z.number(),
        observedAt: Timestamp,
        // The plain-language title in both languages, as the owner reads it (contexts saved before it existed lack it).
        title: z.object({ ja: z.string(), en: z.string() }).optional(),
      }),
    ),
    sensors: z.array(z.object({ sensorId: z.uuid(), name: z.string(), status: z.string(), lastHeartbeatAt: Timestamp.nullable(), dropRate: z.number().nullable() })),
    contract: z.object({ planCode: z.string(), startDate: z.string(), endDate: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'TicketContext' });
export type TicketContext = z.infer<typeof TicketContext>;

export const SlaState = z.enum(['met', 'running', 'warning', 'breached']).meta({ id: 'SlaState' });
export type SlaState = z.infer<typeof SlaState>;

export const Ticket = z
  .object({
    id: z.uuid(),
    number: z.string().describe('T-123'),
    organizationId: z.uuid().nullable(),
    organizationName: z.string().nullable(),
    requesterEmail: z.string().nullable(),
    source: TicketSource,
    category: TicketCategory,
    priority: TicketPriority,
    status: TicketStatus,
    subject: z.string(),
    description: z.string(),
    incidentId: z.uuid().nullable(),
    assigneeUserId: z.uuid().nullable(),
    assigneeName: z.string().nullable(),
    firstResponseDueAt: Timestamp,
    resolutionDueAt: Timestamp,
    firstRespondedAt: Timestamp.nullable(),
    resolvedAt: Timestamp.nullable(),
    closedAt: Timestamp.nullable(),
    sla: z.object({ firstResponse: SlaState, resolution: SlaState }),
    satisfaction: z.number().int().nullable(),
    satisfactionComment: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Ticket' });
export type Ticket = z.infer<typeof Ticket>;

export const TicketDetail = z
  .object({
    ticket: Ticket,
    context: TicketContext.nullable().describe('operator staff only'),
    comments: z.array(TicketComment).describe('customers see public comments only'),
    remoteSessions: z.array(z.lazy(() => RemoteSession)),
  })
  .meta({ id: 'TicketDetail' });
export type TicketDetail = z.infer<typeof TicketDetail>;

export const TicketQuery = z.object({
  status: TicketStatus.optional(),
  organizationId: z.uuid().optional(),
  slaBreaching: z.enum(['true', 'false']).optional().describe('only tickets whose SLA is in warning or breached'),
  active: z.enum(['true', 'false']).optional().describe('true: new, open and waiting for the customer; false: resolved and closed'),
  priority: TicketPriority.optional(),
  category: TicketCategory.optional(),
  source: TicketSource.optional().describe('the channel: portal, phone or email'),
  assigneeUserId: z.union([z.uuid(), z.literal('none')]).optional().describe('an agent, or `none` for unassigned'),
  sla: z.enum(['breached', 'due_soon']).optional().describe('breached: a timer is past due; due_soon: a running timer has used 80% of its span, none breached'),
  sort: z.enum(['newest', 'sla_due']).default('newest').describe('sla_due: the next running timer first'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TicketQuery = z.infer<typeof TicketQuery>;

export const CannedReply = z.object({ id: z.uuid(), title: z.string(), body: z.string(), category: TicketCategory.nullable() }).meta({ id: 'CannedReply' });
export type CannedReply = z.infer<typeof CannedReply>;
export const CannedReplyCreate = z.object({ title: Text(200), body: Text(8000), category: TicketCategory.nullable().default(null) }).meta({ id: 'CannedReplyCreate' });
export const CannedReplyUpdate = z
  .object({ title: Text(200).optional(), body: Text(8000).optional(), category: TicketCategory.nullable().optional() })
  .refine((c) => c.title !== undefined || c.body !== undefined || c.category !== undefined, 'give `title`, `body` or `category`')
  .meta({ id: 'CannedReplyUpdate' });
export type CannedReplyUpdate = z.infer<typeof CannedReplyUpdate>;

/** The queue's counters over the active tickets (new, open, waiting for the customer). */
export const TicketCounts = z
  .object({
    active: z.number().int(),
    byStatus: z.object({ new: z.number().int(), open: z.number().int(), pending_customer: z.number().int() }),
    breached: z.number().int(),
    dueSoon: z.number().int(),
    unassigned: z.number().int(),
  })
  .meta({ id: 'TicketCounts' });
export type TicketCounts = z.infer<typeof TicketCounts>;

export const HelpdeskAgent = z.object({ id: z.uuid(), displayName: z.string(), role: z.string() }).meta({ id: 'HelpdeskAgent' });
export type HelpdeskAgent = z.infer<typeof HelpdeskAgent>;

/** The desk's live view of a ticket's subscriber: today's context, sites and contacts for a dispatch, jobs made from the ticket. */
export const TicketSubscriber = z
  .object({
    organization: z.object({ id: z.uuid(), name: z.string(), membership: z.string().nullable(), prefecture: z.string().nullable(), city: z.string().nullable() }).nullable(),
    context: TicketContext.nullable(),
    sites: z.array(z.object({ id: z.uuid(), name: z.string(), address: z.string().nullable() })),
    contacts: z.array(z.object({ name: z.string(), role: z.string(), email: z.string().nullable(), phone: z.string().nullable() })),
    dispatchJobs: z.array(z.object({ id: z.uuid(), status: z.string(), skill: z.string(), siteName: z.string(), createdAt: Timestamp })),
  })
  .meta({ id: 'TicketSubscriber' });
export type TicketSubscriber = z.infer<typeof TicketSubscriber>;

export const RemoteSession = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    consentUserId: z.uuid().nullable(),
    consentUserName: z.string().nullable(),
    consentAt: Timestamp.nullable(),
    refusedAt: Timestamp.nullable().describe('the customer declined; the session cannot start'),
    agentUserId: z.uuid().nullable(),
    startedAt: Timestamp.nullable(),
    endedAt: Timestamp.nullable(),
    summary: z.string().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'RemoteSession' });
export type RemoteSession = z.infer<typeof RemoteSession>;
export const RemoteSessionEnd = z.object({ summary: Text(8000) }).meta({ id: 'RemoteSessionEnd' });

// ---- Dispatch (駆け付け) ----

export const VendorArea = z.object({ prefecture: Text(10), city: z.string().trim().min(1).max(40).nullable() });
export type VendorArea = z.infer<typeof VendorArea>;
const vendorProfileFields = {
  companyName: Text(200),
  areas: z.array(VendorArea).min(1).max(200),
  skills: z.array(Text(40)).min(1).max(40),
  businessHours: Text(200).describe('e.g. 平日 9:00–18:00'),
  hourlyRateYen: z.number().int().min(0).max(1_000_000),
  callOutFeeYen: z.number().int().min(0).max(1_000_000),
  capacity: z.number().int().min(1).max(100).describe('jobs it can carry at once'),
  contactName: Text(100),
  contactEmail: z.email(),
  contactPhone: Text(40),
};
export const VendorProfileInput = z.object({ ...vendorProfileFields, active: z.boolean().default(true) }).meta({ id: 'VendorProfilePut' });
export type VendorProfileInput = z.infer<typeof VendorProfileInput>;
export const VendorProfile = z.object({ ...vendorProfileFields, active: z.boolean(), organizationId: z.uuid(), openJobs: z.number().int() }).meta({ id: 'VendorProfile' });
export type VendorProfile = z.infer<typeof VendorProfile>;

export const DispatchStatus = z.enum(['requested', 'offered', 'accepted', 'on_site', 'reported', 'signed_off', 'unfilled']).meta({ id: 'DispatchStatus' });
export type DispatchStatus = z.infer<typeof DispatchStatus>;

export const DispatchCreate = z
  .object({
    ticketId: z.uuid().optional(),
    incidentId: z.uuid().optional(),
    siteId: z.uuid().describe('where the vendor goes'),
    skill: Text(40),
    problem: Text(4000).describe('what the vendor needs to know; nothing else of the subscriber is shown to it'),
    contactName: Text(100),
    contactPhone: Text(40),
    offerMinutes: z.number().int().min(5).max(24 * 60).default(60).describe('how long each vendor has to accept'),
  })
  .refine((d) => d.ticketId !== undefined || d.incidentId !== undefined, 'give `ticketId` or `incidentId`')
  .meta({ id: 'DispatchCreate' });
export type DispatchCreate = z.infer<typeof DispatchCreate>;

export const DispatchCandidate = z
  .object({ organizationId: z.uuid(), companyName: z.string(), match: z.enum(['city', 'prefecture']), openJobs: z.number().int(), capacity: z.number().int(), hourlyRateYen: z.number().int() })
  .meta({ id: 'DispatchCandidate' });
export type DispatchCandidate = z.infer<typeof DispatchCandidate>;

export const DispatchOffer = z
  .object({ vendorOrganizationId: z.uuid(), rank: z.number().int(), offeredAt: Timestamp, deadlineAt: Timestamp, status: z.enum(['pending', 'accepted', 'declined', 'expired']), reason: z.string().nullable() })
  .meta({ id: 'DispatchOffer' });

export const DispatchFile = z.object({ id: z.uuid(), fileName: z.string(), contentType: z.string(), sizeBytes: z.number().int(), sha256: z.string() }).meta({ id: 'DispatchFile' });

/** What a vendor sees of a job: the place, the contact and the problem, nothing else of the subscriber. */
export const DispatchJob = z
  .object({
    id: z.uuid(),
    status: DispatchStatus,
    skill: z.string(),
    problem: z.string(),
    siteName: z.string(),
    prefecture: z.string().nullable(),
    city: z.string().nullable(),
    address: z.string().nullable(),
    contactName: z.string(),
    contactPhone: z.string(),
    vendorOrganizationId: z.uuid().nullable(),
    offerDeadlineAt: Timestamp.nullable(),
    arrivedAt: Timestamp.nullable(),
    workDone: z.string().nullable(),
    minutesWorked: z.number().int().nullable(),
    costYen: z.number().int().nullable(),
    report: z.string().nullable(),
    reportedAt: Timestamp.nullable(),
    signedOffAt: Timestamp.nullable(),
    files: z.array(DispatchFile),
    /** Desk and customer only (null for vendors). */
    organizationId: z.uuid().nullable(),
    ticketId: z.uuid().nullable(),
    incidentId: z.uuid().nullable(),
    offers: z.array(DispatchOffer).nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'DispatchJob' });
export type DispatchJob = z.infer<typeof DispatchJob>;

export const DispatchDecline = z.object({ reason: Text(1000) }).meta({ id: 'DispatchDecline' });
export const DispatchArrival = z.object({ arrivedAt: Timestamp.optional() }).meta({ id: 'DispatchArrival' });
export const DispatchReport = z
  .object({ workDone: Text(8000), minutesWorked: z.number().int().min(0).max(10_000), costYen: z.number().int().min(0).max(10_000_000), report: Text(8000) })
  .meta({ id: 'DispatchReport' });
export type DispatchReport = z.infer<typeof DispatchReport>;
export const DispatchFileUpload = z
  .object({ fileName: Text(200), contentType: z.string().trim().min(3).max(100).regex(/^[\w.+-]+\/[\w.+-]+$/), contentBase64: z.string().min(1).max(1_500_000) })
  .meta({ id: 'DispatchFileUpload' });
export type DispatchFileUpload = z.infer<typeof DispatchFileUpload>;

// ---- Insurance (簡易サイバー保険) ----

export const CoverageItem = z.object({ code: Text(40), nameJa: Text(100), limitYen: z.number().int().min(0) });
export type CoverageItem = z.infer<typeof CoverageItem>;
export const InsurancePolicy = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    insurerOrganizationId: z.uuid().nullable(),
    policyNumber: z.string(),
    periodStart: z.string(),
    periodEnd: z.string().nullable(),
    coverage: z.array(CoverageItem),
  })
  .meta({ id: 'InsurancePolicy' });
export type InsurancePolicy = z.infer<typeof InsurancePolicy>;
export const InsurancePolicyUpdate = z
  .object({ insurerOrganizationId: z.uuid(), coverage: z.array(CoverageItem).max(50), periodEnd: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().optional() })
  .meta({ id: 'InsurancePolicyUpdate' });
export type InsurancePolicyUpdate = z.infer<typeof InsurancePolicyUpdate>;

export const ClaimStatus = z.enum(['filed', 'approved', 'partially_approved', 'denied']).meta({ id: 'ClaimStatus' });
export type ClaimStatus = z.infer<typeof ClaimStatus>;
export const ClaimCreate = z
  .object({ incidentId: z.uuid(), description: Text(8000), claimedAmountYen: z.number().int().min(0).max(100_000_000) })
  .meta({ id: 'ClaimCreate' });
export type ClaimCreate = z.infer<typeof ClaimCreate>;
export const ClaimOutcome = z
  .object({ outcome: z.enum(['approved', 'partially_approved', 'denied']), paidAmountYen: z.number().int().min(0).max(100_000_000), note: Text(4000).optional() })
  .refine((o) => o.outcome !== 'denied' || o.paidAmountYen === 0, 'a denied claim pays 0')
  .meta({ id: 'ClaimOutcome' });
export type ClaimOutcome = z.infer<typeof ClaimOutcome>;
export const ClaimCommentCreate = z.object({ body: Text(4000) }).meta({ id: 'ClaimCommentCreate' });
export const Claim = z
  .object({
    id: z.uuid(),
    number: z.string().describe('C-12'),
    organizationId: z.uuid(),
    policyId: z.uuid(),
    policyNumber: z.string(),
    insurerOrganizationId: z.uuid(),
    incidentId: z.uuid(),
    status: ClaimStatus,
    description: z.string(),
    claimedAmountYen: z.number().int(),
    paidAmountYen: z.number().int().nullable(),
    outcomeNote: z.string().nullable(),
    decidedAt: Timestamp.nullable(),
    evidenceSha256: z.string(),
    comments: z.array(z.object({ id: z.uuid(), authorUserId: z.uuid().nullable(), authorOrganizationId: z.uuid(), body: z.string(), createdAt: Timestamp })),
    createdAt: Timestamp,
  })
  .meta({ id: 'Claim' });
export type Claim = z.infer<typeof Claim>;
