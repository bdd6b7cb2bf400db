import { Card, Group, Loader, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { EChart } from './EChart.tsx';
import type { ChartOption } from './echarts.ts';
import { currentMonth, shiftMonth, useFormatYen } from './format.ts';

type Kpis = components['schemas']['SubscriberKpis'];

const colors = { active: '#1c7ed6', target: '#e8590c', members: '#1971c2', nonMembers: '#74c0fc', mrr: '#2b8a3e', invoiced: '#5f3dc4', paid: '#2b8a3e' };
const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The operator's dashboard: subscribers against the target, membership, churn, revenue, overdue. Loaded on demand. */
export function KpiDashboardPage() {
  const { t } = useTranslation();
  const [to, setTo] = useState(currentMonth);
  const [from, setFrom] = useState(() => shiftMonth(currentMonth(), -11));
  const valid = monthPattern.test(from) && monthPattern.test(to) && from <= to;
  const kpis = useQuery({
    queryKey: ['kpi-subscribers', from, to],
    queryFn: () => expectOk(api.GET('/api/v1/kpi/subscribers', { params: { query: { from, to } } })),
    enabled: valid,
  });

  return (
    <Stack gap="md" maw={1200}>
      <Title order={2}>{t('admin.kpi')}</Title>
      <Text c="gray.7">{t('kpi.intro')}</Text>
      <Group gap="sm" align="flex-end">
        <TextInput type="month" label={t('kpi.from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={180} />
        <TextInput type="month" label={t('kpi.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} w={180} />
      </Group>
      {kpis.isPending && valid && <Loader aria-label={t('common.loading')} />}
      {kpis.isError && <ApiErrorAlert error={kpis.error} />}
      {kpis.data && <Dashboard kpis={kpis.data} />}
    </Stack>
  );
}

function Dashboard({ kpis }: { kpis: Kpis }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const last = kpis.months[kpis.months.length - 1];
  const months = kpis.months.map((m) => m.month);
  const percent = (value: number | null) => (value === null ? t('kpi.notApplicable') : t('kpi.percent', { value: value.toFixed(2) }));

  const charts = useMemo(() => {
    const grid = { left: 8, right: 16, top: 40, bottom: 8, containLabel: true };
    const legend = { top: 0 };
    const xAxis = { type: 'category' as const, data: months };
    const yenAxis = { type: 'value' as const, axisLabel: { formatter: (v: number) => new Intl.NumberFormat('ja-JP').format(v) } };
    const subscribers: ChartOption = {
      grid, legend, xAxis, yAxis: { type: 'value' }, tooltip: { trigger: 'axis' },
      series: [
        { type: 'line', name: t('kpi.seriesActive'), data: kpis.months.map((m) => m.activeSubscribers), color: colors.active, symbolSize: 6 },
        { type: 'line', name: t('kpi.seriesTarget'), data: kpis.months.map((m) => m.targetSubscribers), color: colors.target, lineStyle: { type: 'dashed' }, symbol: 'none' },
      ],
    };
    const membership: ChartOption = {
      grid, legend, xAxis, yAxis: { type: 'value', minInterval: 1 }, tooltip: { trigger: 'axis' },
      series: [
        { type: 'bar', stack: 'membership', name: t('kpi.seriesMembers'), data: kpis.months.map((m) => m.activeMembers), color: colors.members },
        { type: 'bar', stack: 'membership', name: t('kpi.seriesNonMembers'), data: kpis.months.map((m) => m.activeNonMembers), color: colors.nonMembers },
      ],
    };
    const mrr: ChartOption = {
      grid, legend, xAxis, yAxis: yenAxis, tooltip: { trigger: 'axis', valueFormatter: (v) => yen(Number(v)) },
      series: [{ type: 'bar', name: t('kpi.seriesMrr'), data: kpis.months.map((m) => m.mrrYen), color: colors.mrr }],
    };
    const money: ChartOption = {
      grid, legend, xAxis, yAxis: yenAxis, tooltip: { trigger: 'axis', valueFormatter: (v) => yen(Number(v)) },
      series: [
        { type: 'bar', name: t('kpi.seriesInvoiced'), data: kpis.months.map((m) => m.invoicedYen + m.creditedYen), color: colors.invoiced },
        { type: 'bar', name: t('kpi.seriesPaid'), data: kpis.months.map((m) => m.paidYen), color: colors.paid },
      ],
    };
    return { subscribers, membership, mrr, money };
    // The options depend on the data and the language only.
  }, [kpis, t]);

  return (
    <Stack gap="md">
      {last && (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="md">
          <Stat label={t('kpi.activeNow', { month: last.month })} value={t('kpi.companies', { count: last.activeSubscribers })} detail={t('kpi.targetNow', { count: last.targetSubscribers, month: last.month })} />
          <Stat label={t('kpi.mrr', { month: last.month })} value={yen(last.mrrYen)} />
          <Stat label={t('kpi.churn', { month: last.month })} value={percent(last.churnRatePercent)} />
          <Stat label={t('kpi.overdue', { date: kpis.overdue.asOf })} value={yen(kpis.overdue.amountYen)} detail={t('kpi.overdueCount', { count: kpis.overdue.count })} alert={kpis.overdue.count > 0} />
        </SimpleGrid>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <ChartCard title={t('kpi.chartSubscribers')} option={charts.subscribers} />
        <ChartCard title={t('kpi.chartMembership')} option={charts.membership} />
        <ChartCard title={t('kpi.chartMrr')} option={charts.mrr} />
        <ChartCard title={t('kpi.chartMoney')} option={charts.money} />
      </SimpleGrid>
      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          {t('kpi.areas', { month: kpis.to })}
        </Title>
        <Table.ScrollContainer minWidth={320}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('kpi.prefecture')}</Table.Th>
                <Table.Th>{t('kpi.city')}</Table.Th>
                <Table.Th ta="right">{t('kpi.count')}</Table.Th>
                <Table.Th ta="right">{t('kpi.seriesMembers')}</Table.Th>
                <Table.Th ta="right">{t('kpi.seriesNonMembers')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {kpis.areas.map((area) => (
                <Table.Tr key={`${area.prefecture ?? ''}/${area.city ?? ''}`}>
                  <Table.Td>{area.prefecture ?? t('kpi.unknownArea')}</Table.Td>
                  <Table.Td>{area.city ?? t('kpi.unknownArea')}</Table.Td>
                  <Table.Td ta="right">{area.activeSubscribers}</Table.Td>
                  <Table.Td ta="right">{area.activeMembers}</Table.Td>
                  <Table.Td ta="right">{area.activeNonMembers}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Card withBorder padding={0}>
        <Title order={3} size="h4" p="md" pb={0}>
          {t('kpi.table')}
        </Title>
        <Table.ScrollContainer minWidth={820}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('kpi.month')}</Table.Th>
                <Table.Th ta="right">{t('kpi.active')}</Table.Th>
                <Table.Th ta="right">{t('kpi.target')}</Table.Th>
                <Table.Th ta="right">{t('kpi.new')}</Table.Th>
                <Table.Th ta="right">{t('kpi.churned')}</Table.Th>
                <Table.Th ta="right">{t('kpi.churnRate')}</Table.Th>
                <Table.Th ta="right">{t('kpi.seriesMrr')}</Table.Th>
                <Table.Th ta="right">{t('kpi.invoiced')}</Table.Th>
                <Table.Th ta="right">{t('kpi.paid')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {kpis.months.map((m) => (
                <Table.Tr key={m.month}>
                  <Table.Td>{m.month}</Table.Td>
                  <Table.Td ta="right">{m.activeSubscribers}</Table.Td>
                  <Table.Td ta="right">{m.targetSubscribers}</Table.Td>
                  <Table.Td ta="right">{m.newSubscribers}</Table.Td>
                  <Table.Td ta="right">{m.churnedSubscribers}</Table.Td>
                  <Table.Td ta="right">{percent(m.churnRatePercent)}</Table.Td>
                  <Table.Td ta="right">{yen(m.mrrYen)}</Table.Td>
                  <Table.Td ta="right">{yen(m.invoicedYen + m.creditedYen)}</Table.Td>
                  <Table.Td ta="right">{yen(m.paidYen)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </Stack>
  );
}

function Stat({ label, value, detail, alert = false }: { label: string; value: string; detail?: string; alert?: boolean }) {
  return (
    <Card withBorder padding="md" bg={alert ? 'red.0' : undefined}>
      <Text size="sm" c="gray.7">
        {label}
      </Text>
      <Text size="xl" fw={700} c={alert ? 'red.9' : undefined}>
        {value}
      </Text>
      {detail && (
        <Text size="sm" c={alert ? 'red.9' : 'gray.7'}>
          {detail}
        </Text>
      )}
    </Card>
  );
}

function ChartCard({ title, option }: { title: string; option: ChartOption }) {
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {title}
      </Title>
      <EChart option={option} label={title} />
    </Card>
  );
}
