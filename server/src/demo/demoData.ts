/**
 * Demo tenants for a first look: the operator, three Osaka-area small businesses (members and a
 * non-member of the chamber), a local IT vendor, an insurer and a large company, with a user for
 * every role. Loaded once: a second run finds the operator and changes nothing. Passwords are
 * random, shown once and kept in <dataDir>/demo-logins.txt (mode 0600).
 */
import { randomBytes } from 'node:crypto';
import type { OrganizationCreate, Role } from '@otasuke/shared';
import type { RequestContext } from '../access/accessScope.ts';
import type { AppServices } from '../services.ts';

export interface DemoLogin {
  organization: string;
  role: Role;
  email: string;
  password: string;
}

export const demoOperatorName = 'サイバーセキュリティお助け隊 運営事務局（大阪）';

interface DemoOrganization {
  create: OrganizationCreate;
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
  },
  {
    slug: 'shinsaibashi-design',
    create: { kind: 'subscriber', name: '心斎橋デザイン合同会社', nameKana: 'シンサイバシデザインゴウドウガイシャ', membership: 'member', prefecture: '大阪府', city: '大阪市中央区' },
    users: [{ role: 'subscriber_admin', name: '心斎 みどり', local: 'owner' }],
    sites: [{ name: '事務所', postalCode: '542-0085', address: '大阪府大阪市中央区心斎橋筋2-2-2' }],
  },
  {
    slug: 'sakai-minato-butsuryu',
    create: { kind: 'subscriber', name: '堺みなと物流株式会社', nameKana: 'サカイミナトブツリュウ', membership: 'non_member', prefecture: '大阪府', city: '堺市堺区' },
    users: [{ role: 'subscriber_admin', name: '堺 一郎', local: 'owner' }],
    sites: [
      { name: '本社', postalCode: '590-0985', address: '大阪府堺市堺区戎島町3-3' },
      { name: '泉北倉庫', postalCode: '592-8331', address: '大阪府堺市西区築港新町4-4' },
    ],
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
  for (const spec of organizations) {
    const organization = await services.organizations.create(loaderContext, spec.create);
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
  return logins;
}

export function formatDemoLogins(logins: DemoLogin[]): string {
  const lines = logins.map((l) => `  ${l.role.padEnd(18)} ${l.email.padEnd(48)} ${l.password}`);
  return [
    'デモ用ログイン / Demo logins (shown once; also saved in the data dir as demo-logins.txt):',
    ...lines,
    '  operator_admin / analyst / helpdesk: 初回ログイン時に二要素認証(TOTP)を設定します / set up TOTP at first sign-in.',
  ].join('\n');
}
