/**
 * Demo tenants for a first look: the operator, three Osaka-area small businesses (members and a
 * non-member of the chamber), a local IT vendor, an insurer and a large company, with a user for
 * every role. Loaded once: a second run finds the operator and changes nothing. Passwords are
 * random, shown once and kept in <dataDir>/demo-logins.txt (mode 0600).
 *
 * The subscribers are under contract from past months (two member plans, one non-member), the
 * operator's issuer settings are set, and the monthly invoices of every finished month are issued
 * as the job would have issued them on the 1st of the next month; each is paid three weeks after
 * its issue once that day has passed, except one of the non-member's, left overdue. So the
 * dashboard, the invoices and the charts have something to show on a fresh start.
 */
import { randomBytes } from 'node:crypto';
import type { OrganizationCreate, Role } from '@otasuke/shared';
import type { AccessScope, RequestContext } from '../access/accessScope.ts';
import { addDays, japanDate } from '../billing/money.ts';
import type { Clock } from '../clock.ts';
import { shiftMonth } from '../kpi/kpiMath.ts';
import { createServices, type AppServices } from '../services.ts';

export interface DemoLogin {
  organization: string;
  role: Role;
  email: string;
  password: string;
}

export const demoOperatorName = 'サイバーセキュリティお助け隊 運営事務局（大阪）';

interface DemoOrganization {
  create: OrganizationCreate;
  /** The contract: months before the current one it started, and on which day. */
  contract?: { monthsAgo: number; day: number };
  slug: string;
  users: Array<{ role: Role; name: string; local: string }>;
  sites?: Array<{ name: string; postalCode: string; address: string }>;
}

const organizations: DemoOrganization[] = [
  {
    slug: 'operator',
    create: { kind: 'operator', name: demoOperatorName, prefecture: '大阪府', city: '大阪市中央区' },
    users: [
      { role: 'operator_admin', name: '運営 管理者', local: 'admin' },
      { role: 'analyst', name: '監視 分析担当', local: 'analyst' },
      { role: 'helpdesk', name: '相談窓口 担当', local: 'helpdesk' },
    ],
  },
  {
    slug: 'naniwa-seiko',
    create: { kind: 'subscriber', name: '株式会社なにわ精工', nameKana: 'カブシキガイシャナニワセイコウ', membership: 'member', prefecture: '大阪府', city: '東大阪市' },
    users: [
      { role: 'subscriber_admin', name: '浪速 太郎', local: 'owner' },
      { role: 'subscriber_member', name: '浪速 花子', local: 'staff' },
    ],
    sites: [{ name: '本社工場', postalCode: '577-0011', address: '大阪府東大阪市荒本北1-1-1' }],
    contract: { monthsAgo: 7, day: 10 },
  },
  {
    slug: 'shinsaibashi-design',
    create: { kind: 'subscriber', name: '心斎橋デザイン合同会社', nameKana: 'シンサイバシデザインゴウドウガイシャ', membership: 'member', prefecture: '大阪府', city: '大阪市中央区' },
    users: [{ role: 'subscriber_admin', name: '心斎 みどり', local: 'owner' }],
    sites: [{ name: '事務所', postalCode: '542-0085', address: '大阪府大阪市中央区心斎橋筋2-2-2' }],
    contract: { monthsAgo: 5, day: 1 },
  },
  {
    slug: 'sakai-minato-butsuryu',
    create: { kind: 'subscriber', name: '堺みなと物流株式会社', nameKana: 'サカイミナトブツリュウ', membership: 'non_member', prefecture: '大阪府', city: '堺市堺区' },
    users: [{ role: 'subscriber_admin', name: '堺 一郎', local: 'owner' }],
    sites: [
      { name: '本社', postalCode: '590-0985', address: '大阪府堺市堺区戎島町3-3' },
      { name: '泉北倉庫', postalCode: '592-8331', address: '大阪府堺市西区築港新町4-4' },
    ],
    contract: { monthsAgo: 3, day: 15 },
  },
  {
    slug: 'kitahama-it',
    create: { kind: 'vendor', name: '北浜ITサポート株式会社', prefecture: '大阪府', city: '大阪市中央区' },
    users: [{ role: 'vendor_staff', name: '北浜 技術', local: 'tech' }],
  },
  {
    slug: 'anshin-sonpo',
    create: { kind: 'insurer', name: 'あんしん損害保険株式会社', prefecture: '東京都', city: '千代田区' },
    users: [{ role: 'insurer_staff', name: '安心 査定', local: 'claims' }],
  },
  {
    slug: 'kansai-heavy',
    create: { kind: 'enterprise', name: '関西重工業株式会社', prefecture: '大阪府', city: '大阪市北区' },
    users: [{ role: 'enterprise_viewer', name: '調達 監査', local: 'procurement' }],
  },
];

const loaderContext: RequestContext = { scope: null, ip: null, requestId: 'demo-loader' };

/** Returns the logins it created, or null when the demo data was already there. */
export async function loadDemoData(services: AppServices): Promise<DemoLogin[] | null> {
  const existing = await services.organizations.list({ userId: null, tokenId: null, sessionId: null, organizationId: '', organizationKind: 'operator', role: 'operator_admin' }, 'operator');
  if (existing.some((o) => o.name === demoOperatorName)) return null;

  const logins: DemoLogin[] = [];
  const thisMonth = japanDate(services.clock.now()).slice(0, 7);
  let operator: AccessScope | undefined;
  for (const spec of organizations) {
    const organization = await services.organizations.create(loaderContext, spec.create);
    if (organization.kind === 'operator') operator = { userId: null, tokenId: null, sessionId: null, organizationId: organization.id, organizationKind: 'operator', role: 'operator_admin' };
    if (spec.contract && organization.membership) {
      const startDate = `${shiftMonth(thisMonth, -spec.contract.monthsAgo)}-${String(spec.contract.day).padStart(2, '0')}`;
      await services.contracts.create(loaderContext, { organizationId: organization.id, planCode: organization.membership, startDate });
    }
    for (const site of spec.sites ?? []) {
      const adminScope = { userId: null, tokenId: null, sessionId: null, organizationId: organization.id, organizationKind: organization.kind, role: 'subscriber_admin' as const };
      await services.organizations.createSite({ ...loaderContext, scope: adminScope }, organization.id, site);
    }
    for (const user of spec.users) {
      const password = randomBytes(9).toString('base64url');
      const email = `${user.local}@${spec.slug}.demo.otasuke.example`;
      await services.users.create(loaderContext, { organizationId: organization.id, email, displayName: user.name, role: user.role, locale: 'ja', password });
      logins.push({ organization: organization.name, role: user.role, email, password });
    }
  }
  if (operator) await billDemoMonths(services, { ...loaderContext, scope: operator }, thisMonth);
  return logins;
}

/** Issuer settings, then each finished month billed on the 1st of the next, and its payments. */
async function billDemoMonths(services: AppServices, context: RequestContext, thisMonth: string): Promise<void> {
  const scope = context.scope!;
  await services.billing.putIssuer(context, {
    issuerName: demoOperatorName,
    registrationNumber: 'T7123456789012',
    postalCode: '540-0029',
    address: '大阪府大阪市中央区本町橋2-8',
    phone: '06-0000-0000',
    paymentTermDays: 30,
  });
  const today = japanDate(services.clock.now());
  const earliest = (await services.contracts.list(scope)).reduce((min, c) => (c.startDate < min ? c.startDate : min), today).slice(0, 7);
  for (let month = earliest; month < thisMonth; month = shiftMonth(month, 1)) {
    // The job as it ran then: its own clock on the 1st of the next month, 10:00 in Japan.
    const then: Clock = { now: () => new Date(`${shiftMonth(month, 1)}-01T10:00:00+09:00`) };
    await createServices(services.db, then, services.settings).billing.runMonthly(context, month);
  }
  const overdueMonth = shiftMonth(thisMonth, -2);
  for (const invoice of await services.billing.list(scope, {})) {
    const paidOn = addDays(invoice.issueDate, 21);
    const leftUnpaid = invoice.billingMonth === overdueMonth && invoice.recipientName === '堺みなと物流株式会社';
    if (invoice.kind !== 'invoice' || leftUnpaid || paidOn >= today) continue;
    await services.billing.recordPayment(context, invoice.id, { paidOn, amountYen: invoice.totalYen });
  }
  await services.billing.runReminders(context);
}

export function formatDemoLogins(logins: DemoLogin[]): string {
  const lines = logins.map((l) => `  ${l.role.padEnd(18)} ${l.email.padEnd(48)} ${l.password}`);
  return [
    'デモ用ログイン / Demo logins (shown once; also saved in the data dir as demo-logins.txt):',
    ...lines,
    '  operator_admin / analyst / helpdesk: 初回ログイン時に二要素認証(TOTP)を設定します / set up TOTP at first sign-in.',
  ].join('\n');
}
