import { Badge, Card, Code, Group, Loader, SegmentedControl, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';

type Feed = components['schemas']['FeedOverview'];
type SensorState = components['schemas']['SensorBundleState'];

const number = new Intl.NumberFormat('ja-JP');
const importColor = { ok: 'green', partial: 'orange', failed: 'red', never: 'gray' } as const;
const stateColor = { latest: 'green', behind: 'red', none: 'gray' } as const;

/** Rules and threat-intel distribution: feeds and their imports, the kept bundles, and which sensor runs which version. */
export function FeedsPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="md" maw={1280}>
      <Title order={2}>{t('admin.feeds')}</Title>
      <Text c="gray.7">{t('operatorConsole.feeds.intro')}</Text>
      <FeedsCard />
      <BundlesCard />
      <SensorsCard />
    </Stack>
  );
}

function FeedsCard() {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const feeds = useQuery({ queryKey: ['feeds', 'overview'], queryFn: () => expectOk(api.GET('/api/v1/feeds/overview')) });
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {t('operatorConsole.feeds.feedsTitle')}
      </Title>
      {feeds.isPending && <Loader aria-label={t('common.loading')} />}
      {feeds.isError && <ApiErrorAlert error={feeds.error} />}
      {feeds.data && feeds.data.length === 0 && <Text>{t('operatorConsole.feeds.noFeeds')}</Text>}
      {feeds.data && feeds.data.length > 0 && (
        <Table.ScrollContainer minWidth={860}>
          <Table striped aria-label={t('operatorConsole.feeds.feedsTitle')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operatorConsole.feeds.name')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.schedule')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.status')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.lastFetch')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.lastSuccess')}</Table.Th>
                <Table.Th ta="right">{t('operatorConsole.feeds.entries')}</Table.Th>
                <Table.Th ta="right">{t('operatorConsole.feeds.errors')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.usedBy')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {feeds.data.map((feed) => (
                <FeedRow key={feed.id} feed={feed} formatDateTime={formatDateTime} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

function FeedRow({ feed, formatDateTime }: { feed: Feed; formatDateTime: (iso: string) => string }) {
  const { t } = useTranslation();
  const status = feed.lastImport?.status ?? 'never';
  return (
    <Table.Tr>
      <Table.Td>
        <Text fw={600}>{feed.name}</Text>
        <Text size="xs" c="gray.7" style={{ overflowWrap: 'anywhere' }}>
          {feed.source === 'upload' ? t('operatorConsole.feeds.upload') : feed.source}
        </Text>
      </Table.Td>
      <Table.Td>{feed.scheduleMinutes ? t('operatorConsole.feeds.everyMinutes', { minutes: feed.scheduleMinutes }) : t('operatorConsole.feeds.onDemand')}</Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Badge color={importColor[status]} variant="light" radius="sm" style={{ width: 'max-content', maxWidth: 'none' }}>
            {t(`operatorConsole.feeds.importStatus.${status}`)}
          </Badge>
          {!feed.enabled && (
            <Badge color="gray" variant="outline" radius="sm">
              {t('operatorConsole.feeds.disabled')}
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>{feed.lastImport ? formatDateTime(feed.lastImport.importedAt) : '-'}</Table.Td>
      <Table.Td>{feed.lastSuccessAt ? formatDateTime(feed.lastSuccessAt) : '-'}</Table.Td>
      <Table.Td ta="right">{number.format(feed.entryCount)}</Table.Td>
      <Table.Td ta="right" c={feed.lastImport && feed.lastImport.errorCount > 0 ? 'orange.9' : undefined}>
        {feed.lastImport ? number.format(feed.lastImport.errorCount) : '-'}
      </Table.Td>
      <Table.Td>{feed.policies.length > 0 ? feed.policies.join('、') : t('operatorConsole.feeds.notUsed')}</Table.Td>
    </Table.Tr>
  );
}

function BundlesCard() {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const versions = useQuery({ queryKey: ['bundles', 'versions'], queryFn: () => expectOk(api.GET('/api/v1/bundles/versions')) });
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {t('operatorConsole.feeds.bundlesTitle')}
      </Title>
      {versions.isPending && <Loader aria-label={t('common.loading')} />}
      {versions.isError && <ApiErrorAlert error={versions.error} />}
      {versions.data && versions.data.length === 0 && <Text>{t('operatorConsole.feeds.noBundles')}</Text>}
      {versions.data && versions.data.length > 0 && (
        <Table.ScrollContainer minWidth={860}>
          <Table striped aria-label={t('operatorConsole.feeds.bundlesTitle')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operatorConsole.feeds.policy')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.version')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.created')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.contents')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.signature')}</Table.Th>
                <Table.Th ta="right">{t('operatorConsole.feeds.sensorsOnIt')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {versions.data.map((b) => (
                <Table.Tr key={`${b.policy}-${b.version}`}>
                  <Table.Td>{b.policy}</Table.Td>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Code>{b.version}</Code>
                      <Badge color={b.latest ? 'green' : 'gray'} variant="light" radius="sm" style={{ flexShrink: 0 }}>
                        {b.latest ? t('operatorConsole.feeds.latest') : t('operatorConsole.feeds.older')}
                      </Badge>
                    </Group>
                  </Table.Td>
                  <Table.Td>{formatDateTime(b.createdAt)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{t('operatorConsole.feeds.rulesAndIocs', { rules: number.format(b.ruleCount), iocs: number.format(b.iocCount) })}</Text>
                    <Text size="xs" c="gray.7">
                      {t('operatorConsole.feeds.size', { kb: number.format(Math.ceil(b.sizeBytes / 1024)) })}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={b.signature} multiline maw={420} style={{ overflowWrap: 'anywhere' }}>
                      <Code>{`${b.signature.slice(0, 16)}…`}</Code>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td ta="right">{number.format(b.sensors)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

function SensorsCard() {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const [state, setState] = useState<SensorState | 'all'>('all');
  const sensors = useQuery({
    queryKey: ['bundles', 'sensors', state],
    queryFn: () => expectOk(api.GET('/api/v1/bundles/sensors', { params: { query: state === 'all' ? {} : { state } } })),
  });
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          {t('operatorConsole.feeds.sensorsTitle')}
        </Title>
        {sensors.data && <Text size="sm">{t('operatorConsole.feeds.sensorCounts', sensors.data.counts)}</Text>}
      </Group>
      <SegmentedControl
        aria-label={t('operatorConsole.feeds.filter')}
        mb="sm"
        value={state}
        onChange={(v) => setState(v as SensorState | 'all')}
        data={[
          { value: 'all', label: t('operatorConsole.feeds.filterAll') },
          { value: 'behind', label: t('operatorConsole.feeds.state.behind') },
          { value: 'none', label: t('operatorConsole.feeds.state.none') },
          { value: 'latest', label: t('operatorConsole.feeds.state.latest') },
        ]}
      />
      {sensors.isPending && <Loader aria-label={t('common.loading')} />}
      {sensors.isError && <ApiErrorAlert error={sensors.error} />}
      {sensors.data && sensors.data.sensors.length === 0 && <Text>{t('operatorConsole.feeds.noSensors')}</Text>}
      {sensors.data && sensors.data.sensors.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table striped aria-label={t('operatorConsole.feeds.sensorsTitle')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operatorConsole.feeds.company')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.sensor')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.policy')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.stateColumn')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.running')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.latestVersion')}</Table.Th>
                <Table.Th>{t('operatorConsole.feeds.lastHeartbeat')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sensors.data.sensors.map((s) => (
                <Table.Tr key={s.sensorId}>
                  <Table.Td>{s.organizationName}</Table.Td>
                  <Table.Td>
                    {s.sensorName}
                    <Text size="xs" c="gray.7">
                      {s.siteName}
                    </Text>
                  </Table.Td>
                  <Table.Td>{s.policy ?? '-'}</Table.Td>
                  <Table.Td>
                    <Badge color={stateColor[s.state]} variant="light" radius="sm" style={{ width: 'max-content', maxWidth: 'none' }}>
                      {t(`operatorConsole.feeds.state.${s.state}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{s.bundleVersion ? <Code>{s.bundleVersion}</Code> : '-'}</Table.Td>
                  <Table.Td>{s.latestVersion ? <Code>{s.latestVersion}</Code> : '-'}</Table.Td>
                  <Table.Td>{s.lastHeartbeatAt ? formatDateTime(s.lastHeartbeatAt) : '-'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
