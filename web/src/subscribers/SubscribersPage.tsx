import { Badge, Card, Group, Loader, Pagination, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { RouterLink } from '../router/RouterLink.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';

type Item = components['schemas']['SubscriberListItem'];
const PAGE_SIZE = 25;
const contractColor = { scheduled: 'blue', active: 'green', cancelling: 'orange', ended: 'gray', none: 'gray' } as const;

/** The operator's list of subscribers: contract, sensors online, open incidents, last detection; search and paging. */
export function SubscribersPage() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [search] = useDebouncedValue(q.trim(), 300);
  const list = useQuery({
    queryKey: ['subscriber-directory', search, page],
    queryFn: () => expectOk(api.GET('/api/v1/subscriber-directory', { params: { query: { ...(search ? { q: search } : {}), page, pageSize: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / PAGE_SIZE)) : 1;

  return (
    <Stack gap="md" maw={1280}>
      <Title order={2}>{t('admin.subscribers')}</Title>
      <Text c="gray.7">{t('operatorConsole.subscribers.intro')}</Text>
      <Group align="flex-end" justify="space-between">
        <TextInput
          label={t('operatorConsole.subscribers.search')}
          placeholder={t('operatorConsole.subscribers.searchPlaceholder')}
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setPage(1);
          }}
          w={320}
          type="search"
        />
        {list.data && <Text c="gray.8">{t('operatorConsole.subscribers.total', { count: list.data.total })}</Text>}
      </Group>
      {list.isPending && <Loader aria-label={t('common.loading')} />}
      {list.isError && <ApiErrorAlert error={list.error} />}
      {list.data && list.data.items.length === 0 && <Text>{t('operatorConsole.subscribers.empty')}</Text>}
      {list.data && list.data.items.length > 0 && (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover aria-label={t('admin.subscribers')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('operatorConsole.subscribers.company')}</Table.Th>
                  <Table.Th style={{ whiteSpace: 'nowrap' }}>{t('operatorConsole.subscribers.membership')}</Table.Th>
                  <Table.Th>{t('operatorConsole.subscribers.area')}</Table.Th>
                  <Table.Th>{t('operatorConsole.subscribers.contract')}</Table.Th>
                  <Table.Th ta="right">{t('operatorConsole.subscribers.sensors')}</Table.Th>
                  <Table.Th ta="right">{t('operatorConsole.subscribers.openIncidents')}</Table.Th>
                  <Table.Th>{t('operatorConsole.subscribers.lastAlert')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.items.map((item) => (
                  <SubscriberRow key={item.id} item={item} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      {pages > 1 && (
        <Group justify="center">
          <Pagination value={page} onChange={setPage} total={pages} />
          <Text size="sm" c="gray.7">
            {t('operatorConsole.subscribers.pageOf', { page, pages })}
          </Text>
        </Group>
      )}
    </Stack>
  );
}

export function ContractBadge({ contract }: { contract: Item['contract'] }) {
  const { t } = useTranslation();
  const status = contract?.status ?? 'none';
  return (
    <Badge color={contractColor[status]} variant="light" radius="sm" style={{ width: 'max-content', maxWidth: 'none' }}>
      {t(`operatorConsole.subscribers.contractStatus.${status}`)}
    </Badge>
  );
}

function SubscriberRow({ item }: { item: Item }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const allOnline = item.sensorsTotal > 0 && item.sensorsOnline === item.sensorsTotal;
  return (
    <Table.Tr>
      <Table.Td>
        <RouterLink to={`/subscribers/${item.id}`} fw={600}>
          {item.name}
        </RouterLink>
        {item.nameKana && (
          <Text size="xs" c="gray.7">
            {item.nameKana}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{t(`operatorConsole.subscribers.membershipValue.${item.membership ?? 'unknown'}`)}</Table.Td>
      <Table.Td>{[item.prefecture, item.city].filter(Boolean).join(' ') || '-'}</Table.Td>
      <Table.Td>
        <ContractBadge contract={item.contract} />
      </Table.Td>
      <Table.Td ta="right" c={item.sensorsTotal === 0 || allOnline ? undefined : 'red.9'} fw={allOnline ? undefined : 600}>
        {t('operatorConsole.subscribers.sensorsValue', { online: item.sensorsOnline, total: item.sensorsTotal })}
      </Table.Td>
      <Table.Td ta="right" fw={item.openIncidents > 0 ? 700 : undefined}>
        {item.openIncidents}
      </Table.Td>
      <Table.Td>{item.lastAlertAt ? formatDateTime(item.lastAlertAt) : t('operatorConsole.subscribers.none')}</Table.Td>
    </Table.Tr>
  );
}
