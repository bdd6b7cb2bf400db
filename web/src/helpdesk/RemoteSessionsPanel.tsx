import { Alert, Badge, Button, Card, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { canProposeSession, sessionPhase, type RemoteSession, type SessionPhase, type Ticket } from './helpdeskModel.ts';

const phaseColor: Record<SessionPhase, string> = { waiting: 'yellow', refused: 'gray', ready: 'green', running: 'blue', ended: 'gray' };

/**
 * Remote support needs the customer's consent in the portal: request → waiting → (consent) → start →
 * end with what was done; who consented and when stays on the record. A refusal ends the request.
 */
export function RemoteSessionsPanel({ ticket, sessions, onChanged }: { ticket: Ticket; sessions: RemoteSession[]; onChanged: () => void }) {
  const { t } = useTranslation();
  const request = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/helpdesk/tickets/{id}/remote-sessions', { params: { path: { id: ticket.id } } })),
    onSuccess: onChanged,
  });
  const canPropose = ticket.organizationId !== null && ticket.status !== 'closed' && canProposeSession(sessions);
  return (
    <Card withBorder padding="md" data-testid="remote-sessions">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4">
          {t('helpdesk.remoteTitle')}
        </Title>
        {canPropose && (
          <Button variant="light" onClick={() => request.mutate()} loading={request.isPending}>
            {t('helpdesk.remoteRequest')}
          </Button>
        )}
      </Group>
      <Stack gap="sm">
        {ticket.organizationId === null && (
          <Text size="sm" c="gray.7">
            {t('helpdesk.remoteNeedsSubscriber')}
          </Text>
        )}
        {sessions.length === 0 && ticket.organizationId !== null && (
          <Text size="sm" c="gray.7">
            {t('helpdesk.remoteNone')}
          </Text>
        )}
        {request.isError && <ApiErrorAlert error={request.error} />}
        {[...sessions].reverse().map((session) => (
          <SessionRow key={session.id} session={session} onChanged={onChanged} />
        ))}
      </Stack>
    </Card>
  );
}

function SessionRow({ session, onChanged }: { session: RemoteSession; onChanged: () => void }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const [summary, setSummary] = useState('');
  const phase = sessionPhase(session);
  const start = useMutation({ mutationFn: () => expectOk(api.POST('/api/v1/helpdesk/remote-sessions/{id}/start', { params: { path: { id: session.id } } })), onSuccess: onChanged });
  const end = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/helpdesk/remote-sessions/{id}/end', { params: { path: { id: session.id } }, body: { summary: summary.trim() } })),
    onSuccess: onChanged,
  });
  return (
    <Card withBorder padding="sm" bg={phase === 'waiting' ? 'yellow.0' : undefined} data-testid="remote-session">
      <Stack gap={6}>
        <Group gap="xs">
          <Badge color={phaseColor[phase]} variant={phase === 'running' ? 'filled' : 'light'} radius="sm">
            {t(`helpdesk.remotePhase.${phase}`)}
          </Badge>
          <Text size="xs" c="gray.7">
            {t('helpdesk.remoteRequestedAt', { at: formatDateTime(session.createdAt) })}
          </Text>
        </Group>
        {phase === 'waiting' && <Text size="sm">{t('helpdesk.remoteWaitingHint')}</Text>}
        {session.consentAt && (
          <Text size="sm" data-testid="remote-consent">
            {t('helpdesk.remoteConsented', { name: session.consentUserName ?? t('helpdesk.remoteCustomer'), at: formatDateTime(session.consentAt) })}
          </Text>
        )}
        {session.refusedAt && <Text size="sm">{t('helpdesk.remoteRefused', { at: formatDateTime(session.refusedAt) })}</Text>}
        {session.startedAt && <Text size="sm">{t('helpdesk.remoteStartedAt', { at: formatDateTime(session.startedAt) })}</Text>}
        {session.endedAt && <Text size="sm">{t('helpdesk.remoteEndedAt', { at: formatDateTime(session.endedAt) })}</Text>}
        {session.summary && (
          <Alert color="gray" variant="light" title={t('helpdesk.remoteSummary')}>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {session.summary}
            </Text>
          </Alert>
        )}
        {phase === 'ready' && (
          <Group>
            <Button onClick={() => start.mutate()} loading={start.isPending}>
              {t('helpdesk.remoteStart')}
            </Button>
          </Group>
        )}
        {phase === 'running' && (
          <Stack gap="xs">
            <Textarea label={t('helpdesk.remoteWhatWasDone')} value={summary} onChange={(e) => setSummary(e.currentTarget.value)} autosize minRows={3} maxLength={8000} />
            <Group>
              <Button color="dark" onClick={() => end.mutate()} loading={end.isPending} disabled={!summary.trim()}>
                {t('helpdesk.remoteEnd')}
              </Button>
            </Group>
          </Stack>
        )}
        {start.isError && <ApiErrorAlert error={start.error} />}
        {end.isError && <ApiErrorAlert error={end.error} />}
      </Stack>
    </Card>
  );
}
