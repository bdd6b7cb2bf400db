import { Alert, Badge, Card, Code, Drawer, Loader, Stack, Table, Text, Title, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';

type OutboxMail = components['schemas']['OutboxMail'];

const statusColor: Record<OutboxMail['status'], string> = { pending: 'blue', sent: 'green', failed: 'red', held: 'gray' };

/** The dev mailbox: every mail the outbox holds, so nothing sent without SMTP is lost from sight. */
export function DevMailboxPage() {
  const { t } = useTranslation();
  const format = useFormatDateTime();
  const [open, setOpen] = useState<OutboxMail | null>(null);
  const mails = useQuery({
    queryKey: ['mail-outbox'],
    queryFn: () => expectOk(api.GET('/api/v1/mail/outbox', { params: { query: { limit: 200 } } })),
  });

  return (
    <Stack gap="md">
      <Title order={2}>{t('admin.mailbox')}</Title>
      <Text c="gray.7">{t('admin.mailboxIntro')}</Text>
      {mails.isPending && <Loader aria-label={t('common.loading')} />}
      {mails.isError && <ApiErrorAlert error={mails.error} />}
      {mails.data && mails.data.length === 0 && <Alert color="gray">{t('admin.empty')}</Alert>}
      {mails.data && mails.data.length > 0 && (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={640}>
            <Table highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('admin.createdAt')}</Table.Th>
                  <Table.Th>{t('admin.to')}</Table.Th>
                  <Table.Th>{t('admin.subject')}</Table.Th>
                  <Table.Th>{t('admin.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {mails.data.map((mail) => (
                  <Table.Tr key={mail.id}>
                    <Table.Td>{format(mail.createdAt)}</Table.Td>
                    <Table.Td>{mail.to}</Table.Td>
                    <Table.Td>
                      <UnstyledButton onClick={() => setOpen(mail)}>
                        <Text size="sm" c="blue.8" td="underline">
                          {mail.subject}
                        </Text>
                      </UnstyledButton>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={statusColor[mail.status]} variant="light">
                        {t(`admin.mailStatus.${mail.status}`)}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title={open?.subject} closeButtonProps={{ 'aria-label': t('admin.close') }}>
        {open && (
          <Stack gap="xs">
            <Text size="sm">
              {t('admin.to')}: {open.to}
            </Text>
            <Text size="sm">
              {t('admin.attempts')}: {open.attempts}
            </Text>
            {open.lastError && (
              <Text size="sm" c="red.8">
                {t('admin.lastError')}: {open.lastError}
              </Text>
            )}
            <Code block style={{ whiteSpace: 'pre-wrap' }}>
              {open.text}
            </Code>
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}
