import type { DetectionStats, DetectionStatsQuery } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope } from '../access/accessScope.ts';
import { BadRequestError } from '../http/errors.ts';
import { detectionStats, detectionStatsCsv } from './detectionStats.ts';
import { boxOfEngine, MAX_MONTHS, monthlyDetections, monthSlices } from './monthlyStats.ts';
import type { MonthlyDetections, MonthlyDetectionsQuery, TopSignatures, TopSignaturesQuery } from './statsSchemas.ts';
import type { StatsRepository } from './statsRepository.ts';

/** At most about ten years in one table. */
const MAX_DAYS = 3700;

/** The programme's detection statistics (definitions in detectionStats.ts). */
export class StatsService {
  constructor(private readonly repository: StatsRepository) {}

  async detections(scope: AccessScope, query: DetectionStatsQuery): Promise<DetectionStats> {
    checkPeriod(query);
    const filter = tenantFilterOf(scope);
    const [contracts, counts] = await Promise.all([this.repository.monitoredContracts(filter, query.from, query.to), this.repository.detectionCounts(filter, query.from, query.to)]);
    return detectionStats(query.from, query.to, contracts, counts);
  }

  async detectionsCsv(scope: AccessScope, query: DetectionStatsQuery): Promise<string> {
    return detectionStatsCsv(await this.detections(scope, query));
  }

  /** The most detected signatures of the period (ties: lower gid:sid first). */
  async topSignatures(scope: AccessScope, query: TopSignaturesQuery): Promise<TopSignatures> {
    checkPeriod(query);
    const rows = await this.repository.topSignatures(tenantFilterOf(scope), query.from, query.to, query.limit);
    return { from: query.from, to: query.to, signatures: rows.map(({ engine, ...r }) => ({ ...r, box: boxOfEngine(engine) })) };
  }

  /** The detection table of each calendar month of the period, from one query. */
  async monthly(scope: AccessScope, query: MonthlyDetectionsQuery): Promise<MonthlyDetections> {
    checkPeriod(query);
    if (monthSlices(query.from, query.to).length > MAX_MONTHS) throw new BadRequestError('the period is too long', { fields: [{ field: 'querystring.from', message: `at most ${MAX_MONTHS} calendar months` }] });
    const filter = tenantFilterOf(scope);
    const [contracts, counts] = await Promise.all([this.repository.monitoredContracts(filter, query.from, query.to), this.repository.detectionCountsByMonth(filter, query.from, query.to)]);
    return monthlyDetections(query.from, query.to, contracts, counts);
  }
}

function checkPeriod(query: { from: string; to: string }): void {
  if (query.from > query.to) throw new BadRequestError('`from` is after `to`', { fields: [{ field: 'querystring.from', message: `must be ${query.to} or earlier` }] });
  if ((Date.parse(query.to) - Date.parse(query.from)) / 86_400_000 > MAX_DAYS) throw new BadRequestError('the period is too long', { fields: [{ field: 'querystring.from', message: `at most ${MAX_DAYS} days before \`to\`` }] });
}
