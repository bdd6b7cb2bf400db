import { Alert, Card, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';

/** The audit log browser: every write, newest first, filterable by action prefix. */
export function AuditLogPage() {
  const { t } = useTranslation();
  const format = useFormatDateTime();
  const [action, setAction] = useState('');
  const [debounced] = useDebouncedValue(action.trim(), 300);
  const entries = useQuery({
    queryKey: ['audit-log', debounced],
    queryFn: () => expectOk(api.GET('/api/v1/audit-log', { params: { query: { limit: 200, ...(debounced ? { action: debounced } : {}) } } })),
  });

  return (
    <Stack gap="md">
      <Title order={2}>{t('admin.auditLog')}</Title>
      <Text c="gray.7">{t('admin.auditLogIntro')}</Text>
      <TextInput label={t('admin.filterAction')} value={action} onChange={(e) => setAction(e.currentTarget.value)} maw={360} />
      {entries.isPending && <Loader aria-label={t('common.loading')} />}
      {entries.isError && <ApiErrorAlert error={entries.error} />}
      {entries.data && entries.data.length === 0 && <Alert color="gray">{t('admin.empty')}</Alert>}
      {entries.data && entries.data.length > 0 && (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={720}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('admin.at')}</Table.Th>
                  <Table.Th>{t('admin.action')}</Table.Th>
                  <Table.Th>{t('admin.target')}</Table.Th>
                  <Table.Th>{t('admin.ip')}</Table.Th>
                  <Table.Th>{t('admin.requestId')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.data.map((entry) => (
                  <Table.Tr key={entry.id}>
                    <Table.Td>{format(entry.at)}</Table.Td>
                    <Table.Td>
                      <Text ff="monospace" size="sm">
                        {entry.action}
                      </Text>
                    </Table.Td>
                    <Table.Td>{entry.targetType ? `${entry.targetType} ${entry.targetId ?? ''}` : ''}</Table.Td>
                    <Table.Td>{entry.ip ?? ''}</Table.Td>
                    <Table.Td>
                      <Text ff="monospace" size="xs">
                        {entry.requestId ?? ''}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
    </Stack>
  );
}
