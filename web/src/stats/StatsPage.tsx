import { Anchor, Card, Group, Loader, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { EChart } from '../operator/EChart.tsx';
import type { ChartOption } from '../operator/echarts.ts';
import { shiftMonth } from '../operator/format.ts';
import { monthsOf, todayInJapan } from './statsPeriod.ts';

type Stats = components['schemas']['DetectionStats'];
type Row = Stats['rows'][number];

const number = new Intl.NumberFormat('ja-JP');
/** The monthly chart's categories: direction × (IPS, virus, other = behaviour, the rest of the total). */
const categories = [
  { direction: 'inbound', box: 'ips', color: '#1864ab' },
  { direction: 'inbound', box: 'virus', color: '#4dabf7' },
  { direction: 'inbound', box: 'other', color: '#a5d8ff' },
  { direction: 'outbound', box: 'ips', color: '#c92a2a' },
  { direction: 'outbound', box: 'virus', color: '#ff8787' },
  { direction: 'outbound', box: 'other', color: '#ffc9c9' },
] as const;

/** Detections of one category; `other` is what the total holds beyond IPS and virus (behaviour detections). */
function detectionsOf(stats: Stats, direction: Row['direction'], box: Row['box'] | 'other'): number {
  if (box !== 'other') return rowOf(stats, direction, box)?.detections ?? 0;
  const total = rowOf(stats, direction, 'total')?.detections ?? 0;
  return Math.max(0, total - detectionsOf(stats, direction, 'ips') - detectionsOf(stats, direction, 'virus'));
}

function rowOf(stats: Stats, direction: Row['direction'], box: Row['box']): Row | undefined {
  return stats.rows.find((r) => r.direction === direction && r.box === box);
}

/**
 * The programme's detection statistics (the seed's table) for a chosen period, its CSV, and
 * monthly charts built from one request per month (the API answers a period, not a series).
 */
export function StatsPage() {
  const { t } = useTranslation();
  const today = todayInJapan();
  // Default: this month and the five before it.
  const [from, setFrom] = useState(() => `${shiftMonth(today.slice(0, 7), -5)}-01`);
  const [to, setTo] = useState(today);
  const months = monthsOf(from, to);
  const valid = months.length > 0;
  const stats = useQuery({
    queryKey: ['stats', 'detections', from, to],
    queryFn: () => expectOk(api.GET('/api/v1/stats/detections', { params: { query: { from, to } } })),
    enabled: valid,
  });
  const monthly = useQueries({
    queries: months.map((m) => ({
      queryKey: ['stats', 'detections', m.from, m.to],
      queryFn: () => expectOk(api.GET('/api/v1/stats/detections', { params: { query: { from: m.from, to: m.to } } })),
      enabled: valid,
    })),
  });
  const monthlyReady = monthly.length > 0 && monthly.every((q) => q.data);

  return (
    <Stack gap="md" maw={1200}>
      <Title order={2}>{t('admin.stats')}</Title>
      <Text c="gray.7">{t('stats.intro')}</Text>
      <Group gap="sm" align="flex-end">
        <TextInput type="date" label={t('stats.from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={180} />
        <TextInput type="date" label={t('stats.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} w={180} />
        {valid && (
          <Anchor href={`/api/v1/stats/detections.csv?from=${from}&to=${to}`} download pb={8}>
            {t('stats.csv')}
          </Anchor>
        )}
      </Group>
      {!valid && <Text c="red.9">{t('stats.invalidPeriod')}</Text>}
      {stats.isPending && valid && <Loader aria-label={t('common.loading')} />}
      {stats.isError && <ApiErrorAlert error={stats.error} />}
      {stats.data && <SeedTable stats={stats.data} />}
      {monthlyReady && <Charts months={months.map((m) => m.month)} monthly={monthly.map((q) => q.data!)} />}
      {!monthlyReady && monthly.some((q) => q.isError) && <ApiErrorAlert error={monthly.find((q) => q.isError)?.error} />}
    </Stack>
  );
}

function SeedTable({ stats }: { stats: Stats }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding={0}>
      <Group justify="space-between" p="md" pb="xs" gap="xs">
        <Title order={3} size="h4">
          {t('stats.tableTitle', { from: stats.from, to: stats.to })}
        </Title>
        <Text size="sm" c="gray.8">
          {t('stats.monitored', { companies: number.format(stats.monitoredCompanies), days: number.format(stats.averageMonitoringDays) })}
        </Text>
      </Group>
      <Table.ScrollContainer minWidth={560}>
        <Table striped withColumnBorders aria-label={t('stats.tableTitle', { from: stats.from, to: stats.to })}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('stats.category')}</Table.Th>
              <Table.Th ta="right">{t('stats.companies')}</Table.Th>
              <Table.Th ta="right">{t('stats.detections')}</Table.Th>
              <Table.Th ta="right">{t('stats.perCompanyMonth')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(['inbound', 'outbound'] as const).flatMap((direction) =>
              (['total', 'ips', 'virus'] as const).map((box) => {
                const row = rowOf(stats, direction, box);
                return (
                  <Table.Tr key={`${direction}-${box}`}>
                    <Table.Th scope="row" fw={box === 'total' ? 700 : 400} pl={box === 'total' ? undefined : 'xl'}>
                      {box === 'total' ? t(`stats.direction.${direction}`) : t(`stats.box.${box}`)}
                    </Table.Th>
                    <Table.Td ta="right">{row ? number.format(row.companies) : '-'}</Table.Td>
                    <Table.Td ta="right">{row ? number.format(row.detections) : '-'}</Table.Td>
                    <Table.Td ta="right">{row ? number.format(row.perCompanyMonth) : '-'}</Table.Td>
                  </Table.Tr>
                );
              }),
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

function Charts({ months, monthly }: { months: string[]; monthly: Stats[] }) {
  const { t } = useTranslation();
  const options = useMemo(() => {
    const grid = { left: 8, right: 16, top: 48, bottom: 8, containLabel: true };
    const legend = { top: 0 };
    const xAxis = { type: 'category' as const, data: months };
    const perMonth: ChartOption = {
      // Six series: the legend takes up to three lines above the plot.
      grid: { ...grid, top: 88 }, legend, xAxis, yAxis: { type: 'value', minInterval: 1 }, tooltip: { trigger: 'axis' },
      series: categories.map((c) => ({
        type: 'bar' as const,
        stack: c.direction,
        name: t('stats.seriesName', { direction: t(`stats.directionShort.${c.direction}`), box: t(`stats.box.${c.box}`) }),
        data: monthly.map((s) => detectionsOf(s, c.direction, c.box)),
        color: c.color,
      })),
    };
    const share = (s: Stats, direction: Row['direction']) => (s.monitoredCompanies > 0 ? Math.round(((rowOf(s, direction, 'total')?.companies ?? 0) / s.monitoredCompanies) * 1000) / 10 : 0);
    const companies: ChartOption = {
      grid, legend, xAxis, yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } }, tooltip: { trigger: 'axis', valueFormatter: (v) => `${String(v)}%` },
      series: (['inbound', 'outbound'] as const).map((direction) => ({
        type: 'bar' as const,
        name: t(`stats.directionShort.${direction}`),
        data: monthly.map((s) => share(s, direction)),
        color: direction === 'inbound' ? '#1971c2' : '#c92a2a',
      })),
    };
    return { perMonth, companies };
  }, [months, monthly, t]);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
      <Card withBorder padding="md">
        <Title order={3} size="h4" mb="xs">
          {t('stats.chartPerMonth')}
        </Title>
        <EChart option={options.perMonth} label={t('stats.chartPerMonth')} />
      </Card>
      <Card withBorder padding="md">
        <Title order={3} size="h4" mb="xs">
          {t('stats.chartShare')}
        </Title>
        <EChart option={options.companies} label={t('stats.chartShare')} />
        <Text size="xs" c="gray.7">
          {t('stats.chartShareNote')}
        </Text>
      </Card>
    </SimpleGrid>
  );
}
