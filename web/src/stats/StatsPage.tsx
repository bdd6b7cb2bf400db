import { Anchor, Badge, Card, Group, Loader, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
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
type TopSignature = components['schemas']['TopSignature'];

const TOP_LIMIT = 10;

const number = new Intl.NumberFormat('ja-JP');
/** The monthly charts' categories: direction × (IPS, virus), the boxes of the seed's table. */
const categories = [
  { direction: 'inbound', box: 'ips', color: '#1864ab', key: 'seriesInboundIps' },
  { direction: 'inbound', box: 'virus', color: '#4dabf7', key: 'seriesInboundVirus' },
  { direction: 'outbound', box: 'ips', color: '#c92a2a', key: 'seriesOutboundIps' },
  { direction: 'outbound', box: 'virus', color: '#ff8787', key: 'seriesOutboundVirus' },
] as const;

function rowOf(stats: Stats, direction: Row['direction'], box: Row['box']): Row | undefined {
  return stats.rows.find((r) => r.direction === direction && r.box === box);
}

/**
 * The programme's detection statistics (the seed's table) for a chosen period, its CSV, monthly
 * charts by category (one `/stats/monthly` request: a table per month) and the top signatures.
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
  // One request answers every month of the period (at most 24 of them).
  const monthly = useQuery({
    queryKey: ['stats', 'monthly', months[0]?.from, months.at(-1)?.to],
    queryFn: () => expectOk(api.GET('/api/v1/stats/monthly', { params: { query: { from: months[0]!.from, to: months.at(-1)!.to } } })),
    enabled: valid,
  });
  const top = useQuery({
    queryKey: ['stats', 'top-signatures', from, to],
    queryFn: () => expectOk(api.GET('/api/v1/stats/top-signatures', { params: { query: { from, to, limit: TOP_LIMIT } } })),
    enabled: valid,
  });

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
      {monthly.data && <Charts months={monthly.data.months.map((m) => m.month)} monthly={monthly.data.months.map((m) => m.stats)} />}
      {monthly.isError && <ApiErrorAlert error={monthly.error} />}
      {top.data && <TopSignatures signatures={top.data.signatures} />}
      {top.isError && <ApiErrorAlert error={top.error} />}
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
      grid: { ...grid, top: 64 }, legend, xAxis, yAxis: { type: 'value', minInterval: 1 }, tooltip: { trigger: 'axis' },
      series: categories.map((c) => ({
        type: 'bar' as const,
        stack: c.direction,
        name: t(`operatorConsole.stats.${c.key}`),
        data: monthly.map((s) => rowOf(s, c.direction, c.box)?.detections ?? 0),
        color: c.color,
      })),
    };
    // Share of monitored companies with a detection in the category, in percent with one decimal.
    const share = (s: Stats, direction: Row['direction'], box: Row['box']) => (s.monitoredCompanies > 0 ? Math.round(((rowOf(s, direction, box)?.companies ?? 0) / s.monitoredCompanies) * 1000) / 10 : 0);
    const companies: ChartOption = {
      grid: { ...grid, top: 64 }, legend, xAxis, yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } }, tooltip: { trigger: 'axis', valueFormatter: (v) => `${String(v)}%` },
      series: categories.map((c) => ({
        type: 'line' as const,
        name: t(`operatorConsole.stats.${c.key}`),
        data: monthly.map((s) => share(s, c.direction, c.box)),
        color: c.color,
        symbolSize: 6,
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
          {t('operatorConsole.stats.chartShareByCategory')}
        </Title>
        <EChart option={options.companies} label={t('operatorConsole.stats.chartShareByCategory')} />
        <Text size="xs" c="gray.7">
          {t('operatorConsole.stats.chartShareNote')}
        </Text>
      </Card>
    </SimpleGrid>
  );
}

/** The most frequent signatures of the period: a horizontal bar chart and the same figures as a table. */
function TopSignatures({ signatures }: { signatures: TopSignature[] }) {
  const { t } = useTranslation();
  const title = t('operatorConsole.stats.topTitle', { count: TOP_LIMIT });
  const option = useMemo<ChartOption>(() => {
    const ranked = [...signatures].reverse();
    const label = (s: TopSignature) => (s.signature.length > 42 ? `${s.signature.slice(0, 41)}…` : s.signature);
    return {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: ranked.map(label), axisLabel: { width: 300, overflow: 'truncate' } },
      series: [
        {
          type: 'bar' as const,
          name: t('operatorConsole.stats.detections'),
          data: ranked.map((s) => ({ value: s.detections, itemStyle: { color: s.direction === 'inbound' ? '#1864ab' : '#c92a2a' } })),
        },
      ],
    };
  }, [signatures, t]);
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {title}
      </Title>
      {signatures.length === 0 ? (
        <Text>{t('operatorConsole.stats.topEmpty')}</Text>
      ) : (
        <>
          <EChart option={option} label={title} height={Math.max(160, signatures.length * 32 + 24)} />
          <Table.ScrollContainer minWidth={720}>
            <Table striped aria-label={title}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th ta="right">{t('operatorConsole.stats.rank')}</Table.Th>
                  <Table.Th>{t('operatorConsole.stats.signature')}</Table.Th>
                  <Table.Th>{t('operatorConsole.stats.sid')}</Table.Th>
                  <Table.Th>{t('operatorConsole.stats.category')}</Table.Th>
                  <Table.Th ta="right">{t('operatorConsole.stats.detections')}</Table.Th>
                  <Table.Th ta="right">{t('operatorConsole.stats.companies')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {signatures.map((s, i) => (
                  <Table.Tr key={`${s.gid}:${s.signatureId}:${s.direction}:${s.box}`}>
                    <Table.Td ta="right">{i + 1}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{s.signature}</Table.Td>
                    <Table.Td>{`${s.gid}:${s.signatureId}`}</Table.Td>
                    <Table.Td>
                      <Badge color={s.direction === 'inbound' ? 'blue' : 'red'} variant="light" radius="sm" style={{ width: 'max-content', maxWidth: 'none' }}>
                        {t(`stats.directionShort.${s.direction}`)} {t(`operatorConsole.stats.box.${s.box}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td ta="right">{number.format(s.detections)}</Table.Td>
                    <Table.Td ta="right">{number.format(s.companies)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Card>
  );
}
