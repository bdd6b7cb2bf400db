import { Alert, Badge, Button, Card, Group, Loader, Modal, SegmentedControl, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';

type Application = components['schemas']['Application'];
type Status = Application['status'];
type Decision = 'approve' | 'requestInfo' | 'reject';

const statuses: Status[] = ['pending', 'info_requested', 'approved', 'rejected'];
const statusColor: Record<Status, string> = { pending: 'blue', info_requested: 'yellow', approved: 'green', rejected: 'gray' };

/** Applications from the public form: the operator approves, asks for more, or rejects. */
export function ApplicationsPage() {
  const { t } = useTranslation();
  const format = useFormatDateTime();
  const [status, setStatus] = useState<Status>('pending');
  const [deciding, setDeciding] = useState<{ application: Application; decision: Decision } | null>(null);
  const [done, setDone] = useState(false);
  const applications = useQuery({
    queryKey: ['applications', status],
    queryFn: () => expectOk(api.GET('/api/v1/applications', { params: { query: { status } } })),
  });

  return (
    <Stack gap="md" maw={1200}>
      <Title order={2}>{t('admin.applications')}</Title>
      <Text c="gray.7">{t('applications.intro')}</Text>
      <Stack gap={4}>
        <Text size="sm" fw={500} id="application-status-label">
          {t('applications.statusFilter')}
        </Text>
        <SegmentedControl
          aria-labelledby="application-status-label"
          value={status}
          onChange={(v) => setStatus(v as Status)}
          data={statuses.map((s) => ({ value: s, label: t(`applications.statusLabel.${s}`) }))}
          style={{ alignSelf: 'flex-start', maxWidth: '100%', overflowX: 'auto' }}
        />
      </Stack>
      {done && (
        <Alert color="green" role="status" withCloseButton closeButtonLabel={t('admin.close')} onClose={() => setDone(false)}>
          {t('applications.done')}
        </Alert>
      )}
      {applications.isPending && <Loader aria-label={t('common.loading')} />}
      {applications.isError && <ApiErrorAlert error={applications.error} />}
      {applications.data && applications.data.length === 0 && <Alert color="gray">{t('applications.empty')}</Alert>}
      {applications.data && applications.data.length > 0 && (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={760}>
            <Table striped verticalSpacing="sm" styles={{ th: { whiteSpace: 'nowrap' } }}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('applications.company')}</Table.Th>
                  <Table.Th>{t('applications.area')}</Table.Th>
                  <Table.Th>{t('applications.membership')}</Table.Th>
                  <Table.Th>{t('applications.employees')}</Table.Th>
                  <Table.Th>{t('applications.contact')}</Table.Th>
                  {status !== 'approved' && status !== 'rejected' && <Table.Th>{t('applications.actions')}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {applications.data.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td miw={180}>
                      <Text size="sm" fw={500}>
                        {a.companyName}
                      </Text>
                      <Text size="xs" c="gray.7">
                        {a.representativeName}
                      </Text>
                      <Text size="xs" c="gray.7">
                        {t('applications.receivedAt')}: {format(a.createdAt)}
                      </Text>
                      <Badge color={statusColor[a.status]} variant="light" mt={4}>
                        {t(`applications.statusLabel.${a.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td miw={110}>
                      <Text size="sm">{a.prefecture}</Text>
                      <Text size="sm">{a.city}</Text>
                    </Table.Td>
                    <Table.Td>
                      {a.membership === 'member' ? t('applications.member') : t('applications.nonMember')}
                      {a.membershipNumber && (
                        <Text size="xs" c="gray.7">
                          {t('applications.membershipNumber', { number: a.membershipNumber })}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{t('applications.employeesValue', { count: a.employees })}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{a.contactName}</Text>
                      <Text size="xs" c="gray.7">{`${a.email} / ${a.phone}`}</Text>
                    </Table.Td>
                    {status !== 'approved' && status !== 'rejected' && (
                      <Table.Td>
                        <Stack gap={6} miw={140}>
                          <Button size="xs" onClick={() => setDeciding({ application: a, decision: 'approve' })}>
                            {t('applications.approve')}
                          </Button>
                          <Button size="xs" variant="default" onClick={() => setDeciding({ application: a, decision: 'requestInfo' })}>
                            {t('applications.requestInfo')}
                          </Button>
                          <Button size="xs" variant="light" color="red" onClick={() => setDeciding({ application: a, decision: 'reject' })}>
                            {t('applications.reject')}
                          </Button>
                        </Stack>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      {deciding && (
        <DecisionModal
          {...deciding}
          onClose={() => setDeciding(null)}
          onDone={() => {
            setDeciding(null);
            setDone(true);
          }}
        />
      )}
    </Stack>
  );
}

function DecisionModal({ application, decision, onClose, onDone }: { application: Application; decision: Decision; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [startDate, setStartDate] = useState(application.desiredStartDate ?? '');
  const [policyNumber, setPolicyNumber] = useState('');
  const [text, setText] = useState('');
  const path = { params: { path: { id: application.id } } };
  const submit = useMutation({
    mutationFn: async () => {
      if (decision === 'approve') await expectOk(api.POST('/api/v1/applications/{id}/approve', { ...path, body: { startDate, insurancePolicyNumber: policyNumber } }));
      else if (decision === 'requestInfo') await expectOk(api.POST('/api/v1/applications/{id}/request-info', { ...path, body: { message: text } }));
      else await expectOk(api.POST('/api/v1/applications/{id}/reject', { ...path, body: { reason: text } }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['applications'] });
      onDone();
    },
  });
  const company = application.companyName;
  const title = decision === 'approve' ? t('applications.approveTitle', { company }) : decision === 'requestInfo' ? t('applications.requestInfoTitle', { company }) : t('applications.rejectTitle', { company });
  const ready = decision === 'approve' ? startDate !== '' && policyNumber.trim() !== '' : text.trim() !== '';
  return (
    <Modal opened onClose={onClose} title={title} closeButtonProps={{ 'aria-label': t('admin.close') }}>
      <Stack gap="md">
        {decision === 'approve' ? (
          <>
            <Text size="sm">{t('applications.approveLead')}</Text>
            <TextInput type="date" label={t('applications.startDate')} value={startDate} onChange={(e) => setStartDate(e.currentTarget.value)} required />
            <TextInput label={t('applications.policyNumber')} value={policyNumber} onChange={(e) => setPolicyNumber(e.currentTarget.value)} required />
          </>
        ) : (
          <Textarea label={decision === 'requestInfo' ? t('applications.message') : t('applications.reason')} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={3} required />
        )}
        {submit.isError && <ApiErrorAlert error={submit.error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('applications.cancel')}
          </Button>
          <Button onClick={() => submit.mutate()} loading={submit.isPending} disabled={!ready} color={decision === 'reject' ? 'red' : undefined}>
            {t('applications.send')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
