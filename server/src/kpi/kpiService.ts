import type { KpiQuery, SubscriberKpis } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope } from '../access/accessScope.ts';
import { monthBounds } from '../billing/money.ts';
import { japanDate } from '../billing/money.ts';
import type { Clock } from '../clock.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import { areaKpis, monthlyKpis, monthsBetween, shiftMonth } from './kpiMath.ts';
import type { KpiRepository } from './kpiRepository.ts';

/** At most five years of months in one answer. */
export const MAX_KPI_MONTHS = 60;
export const SUBSCRIBER_TARGET = 'subscribers';

/** The operator's programme KPIs (definitions in shared/src/kpi.ts; arithmetic in kpiMath.ts). */
export class KpiService {
  constructor(
    private readonly repository: KpiRepository,
    private readonly clock: Clock,
  ) {}

  async subscribers(scope: AccessScope, query: KpiQuery): Promise<SubscriberKpis> {
    if (scope.organizationKind !== 'operator') throw new ForbiddenError('the programme KPIs are the operator\'s');
    const filter = tenantFilterOf(scope);
    const today = japanDate(this.clock.now());
    const to = query.to ?? today.slice(0, 7);
    const from = query.from ?? shiftMonth(to, -11);
    if (from > to) throw new BadRequestError('`from` is after `to`', { fields: [{ field: 'querystring.from', message: `must be ${to} or earlier` }] });
    const months = monthsBetween(from, to);
    if (months.length > MAX_KPI_MONTHS) {
      throw new BadRequestError(`at most ${MAX_KPI_MONTHS} months at a time`, { fields: [{ field: 'querystring.from', message: `must be ${shiftMonth(to, 1 - MAX_KPI_MONTHS)} or later` }] });
    }
    const target = await this.repository.target(SUBSCRIBER_TARGET);
    if (!target) throw new NotFoundError('programme target');
    const [contracts, prices, invoiced, credited, paid, overdue] = await Promise.all([
      this.repository.contractsStartedBy(filter, monthBounds(to).last),
      this.repository.prices(),
      this.repository.invoicedByMonth(filter, from, to),
      this.repository.creditedByMonth(filter, from, to),
      this.repository.paidByMonth(filter, from, to),
      this.repository.overdue(filter, today),
    ]);
    return {
      from,
      to,
      target,
      months: monthlyKpis(months, contracts, prices, target, { invoiced, credited, paid }),
      areas: areaKpis(contracts, to),
      overdue: { asOf: today, ...overdue },
    };
  }
}
