/**
 * Months of the partitioned `alerts` table. Partitions are made ahead of time (last month, this
 * month, the next two), at start and every hour, never on the insert path: DDL there would take
 * locks against every other insert. An alert outside those months (a sensor with a wrong clock, a
 * late replay) lands in the default partition; when its month's partition is made later, its rows
 * are moved out of the default partition first (PostgreSQL refuses a partition whose range the
 * default partition already holds rows of).
 */
export interface MonthPartition {
  /** `alerts_y2026m04` */
  name: string;
  from: Date;
  to: Date;
}

/** The partition of the UTC month of `at`. */
export function monthPartitionOf(at: Date): MonthPartition {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  return {
    name: `alerts_y${year}m${String(month + 1).padStart(2, '0')}`,
    from: new Date(Date.UTC(year, month, 1)),
    to: new Date(Date.UTC(year, month + 1, 1)),
  };
}

/** The months kept ready around `now`: `before` months back to `after` months ahead. */
export function monthPartitionsAround(now: Date, before = 1, after = 2): MonthPartition[] {
  const partitions: MonthPartition[] = [];
  for (let offset = -before; offset <= after; offset++) {
    partitions.push(monthPartitionOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))));
  }
  return partitions;
}
