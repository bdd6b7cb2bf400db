/**
 * The programme's detection table (the seed's 「サイバー攻撃検知・防衛状況」), pure arithmetic.
 *
 * Definitions:
 * - period: the days `from`..`to` (Japan), both included;
 * - monitored company: a subscriber whose contract overlaps the period; its monitored days are the
 *   days from the contract's start date to its end date (the last day of service; open-ended = the
 *   period's end), clipped to the period, both ends included;
 * - monitored months of a company = monitored days ÷ 30;
 * - a detection: an alert of a monitored company observed in the period (Japan date), direction
 *   inbound (外→内) or outbound (内→外); suppressed alerts are NOT counted (they were judged harmless);
 *   internal and external alerts are outside the table;
 * - boxes: virus = engine `file` (the seed's ウイルス除去); IPS = engines `rule` and `ioc` (signature
 *   and indicator matches, the seed's IPS); the total counts every engine, so behaviour detections
 *   (scans, brute force, beaconing…) appear in the total only — as in the seed, where outbound
 *   692 ≠ 683 + 1;
 * - per row: companies with at least one detection, detections, and detections ÷ Σ monitored months
 *   of those companies, rounded half up to one decimal below 10, else to an integer;
 * - average monitoring days = Σ monitored days ÷ monitored companies, rounded half up.
 */
import type { AlertEngine, DetectionStats, DetectionStatsRow } from '@otasuke/shared';

export interface MonitoredContract {
  organizationId: string;
  startDate: string;
  endDate: string | null;
}

export interface DetectionCount {
  organizationId: string;
  direction: 'inbound' | 'outbound';
  engine: AlertEngine;
  count: number;
}

const DAY = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY;

export function monitoredDays(contract: MonitoredContract, from: string, to: string): number {
  const start = Math.max(dayNumber(contract.startDate), dayNumber(from));
  const end = Math.min(contract.endDate ? dayNumber(contract.endDate) : Infinity, dayNumber(to));
  return Math.max(0, end - start + 1);
}

export function roundPerCompanyMonth(value: number): number {
  // Half up, computed on a scaled integer to keep 0.05 → 0.1 exact.
  return value < 9.95 ? Math.round(value * 10 + 1e-9) / 10 : Math.round(value + 1e-9);
}

export const BOXES: Array<{ direction: 'inbound' | 'outbound'; box: DetectionStatsRow['box']; label: string; engines: readonly AlertEngine[] }> = [
  { direction: 'inbound', box: 'total', label: '「外→内」の攻撃', engines: ['rule', 'ioc', 'behaviour', 'file'] },
  { direction: 'inbound', box: 'ips', label: 'IPS(不正侵入防止)', engines: ['rule', 'ioc'] },
  { direction: 'inbound', box: 'virus', label: 'ウイルス除去', engines: ['file'] },
  { direction: 'outbound', box: 'total', label: '「内→外」の不正通信', engines: ['rule', 'ioc', 'behaviour', 'file'] },
  { direction: 'outbound', box: 'ips', label: 'IPS', engines: ['rule', 'ioc'] },
  { direction: 'outbound', box: 'virus', label: 'ウイルス除去', engines: ['file'] },
];

export function detectionStats(from: string, to: string, contracts: readonly MonitoredContract[], counts: readonly DetectionCount[]): DetectionStats {
  const days = new Map<string, number>();
  for (const c of contracts) {
    const d = monitoredDays(c, from, to);
    if (d > 0) days.set(c.organizationId, (days.get(c.organizationId) ?? 0) + d);
  }
  const rows = BOXES.map(({ direction, box, label, engines }) => {
    const perCompany = new Map<string, number>();
    for (const c of counts) {
      if (c.direction !== direction || !engines.includes(c.engine) || !days.has(c.organizationId) || c.count === 0) continue;
      perCompany.set(c.organizationId, (perCompany.get(c.organizationId) ?? 0) + c.count);
    }
    const detections = [...perCompany.values()].reduce((a, b) => a + b, 0);
    const months = [...perCompany.keys()].reduce((sum, org) => sum + days.get(org)!, 0) / 30;
    return { direction, box, label, companies: perCompany.size, detections, perCompanyMonth: months > 0 ? roundPerCompanyMonth(detections / months) : 0 };
  });
  const totalDays = [...days.values()].reduce((a, b) => a + b, 0);
  return { from, to, monitoredCompanies: days.size, averageMonitoringDays: days.size ? Math.round(totalDays / days.size) : 0, rows };
}

/** The CSV export: UTF-8 with a BOM (Excel in Japan opens it right), CRLF line ends. */
export function detectionStatsCsv(stats: DetectionStats): string {
  const quote = (v: string | number) => (typeof v === 'number' ? String(v) : `"${v.replaceAll('"', '""')}"`);
  const lines = [
    ['期間', `${stats.from}〜${stats.to}`],
    ['監視企業数', stats.monitoredCompanies],
    ['平均監視期間(日)', stats.averageMonitoringDays],
    [],
    ['項目', '企業数', '件数', '件数/社月'],
    ...stats.rows.map((r) => [r.label, r.companies, r.detections, r.perCompanyMonth]),
  ];
  return `\uFEFF${lines.map((l) => l.map(quote).join(',')).join('\r\n')}\r\n`;
}
