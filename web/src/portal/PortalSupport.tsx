import { Alert, Badge, Button, Card, Group, Loader, Rating, Stack, Text, Textarea, Title, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { isDone, sessionPhase, type RemoteSession, type Ticket, type TicketStatus } from '../helpdesk/helpdeskModel.ts';
import { useFormatDateTime } from '../i18n/dateTime.ts';

const customerStatusColor: Record<TicketStatus, string> = { new: 'blue', open: 'blue', pending_customer: 'orange', resolved: 'green', closed: 'gray' };
const ticketsShown = 20;

/**
 * The owner's help-desk corner in the portal: their requests and the desk's replies, a reply box,
 * the answer to a remote-support request (consent or decline), and a rating once the case is closed.
 */
export function PortalSupport() {
  const { t } = useTranslation();
  const tickets = useQuery({
    queryKey: ['portal', 'tickets'],
    queryFn: () => expectOk(api.GET('/api/v1/helpdesk/tickets', { params: { query: { limit: ticketsShown } } })),
    refetchInterval: 15_000,
  });
  const [opened, setOpened] = useState<string | null>(null);
  return (
    <Card withBorder padding="md" data-testid="portal-support">
      <Title order={3} size="h4" mb="xs">
        {t('helpdesk.portal.title')}
      </Title>
      {tickets.isPending && <Loader size="sm" aria-label={t('common.loading')} />}
      {tickets.isError && <ApiErrorAlert error={tickets.error} />}
      {tickets.data?.length === 0 && <Text size="sm">{t('helpdesk.portal.none')}</Text>}
      <Stack gap="sm">
        {tickets.data?.map((ticket) => (
          <PortalTicket key={ticket.id} ticket={ticket} open={opened === ticket.id} onToggle={() => setOpened(opened === ticket.id ? null : ticket.id)} />
        ))}
      </Stack>
    </Card>
  );
}

function PortalTicket({ ticket, open, onToggle }: { ticket: Ticket; open: boolean; onToggle: () => void }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  // The detail is read for every listed request, so a pending remote-support question shows without a click.
  const detail = useQuery({
    queryKey: ['portal', 'ticket', ticket.id],
    queryFn: () => expectOk(api.GET('/api/v1/helpdesk/tickets/{id}', { params: { path: { id: ticket.id } } })),
    refetchInterval: 15_000,
    enabled: !isDone(ticket.status) || open || ticket.satisfaction === null,
  });
  const waiting = detail.data?.remoteSessions.filter((s) => sessionPhase(s) === 'waiting') ?? [];
  const rateable = isDone(ticket.status) && ticket.satisfaction === null;
  return (
    <Card withBorder padding="xs" bg={waiting.length > 0 ? 'yellow.0' : undefined} data-testid="portal-ticket">
      <UnstyledButton onClick={onToggle} aria-expanded={open} style={{ width: '100%' }}>
        <Stack gap={4}>
          <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
            {ticket.subject}
          </Text>
          <Group gap="xs" justify="space-between">
            <Text size="xs" c="gray.7">
              {t('helpdesk.portal.meta', { number: ticket.number, at: formatDateTime(ticket.createdAt) })}
            </Text>
            <Badge color={customerStatusColor[ticket.status]} variant="light" radius="sm" style={{ flexShrink: 0, maxWidth: 'none' }}>
              {t(`helpdesk.customerStatus.${ticket.status}`)}
            </Badge>
          </Group>
          <Text size="xs" c="blue.8">
            {open ? t('helpdesk.portal.hide') : ticket.status === 'closed' ? t('helpdesk.portal.showOnly') : t('helpdesk.portal.show')}
          </Text>
        </Stack>
      </UnstyledButton>
      <Stack gap="sm" mt={waiting.length > 0 || open || rateable ? 'sm' : 0}>
        {waiting.map((session) => (
          <ConsentBox key={session.id} ticketId={ticket.id} session={session} />
        ))}
        {rateable && <RateBox ticketId={ticket.id} />}
        {open && detail.isPending && <Loader size="sm" aria-label={t('common.loading')} />}
        {open && detail.isError && <ApiErrorAlert error={detail.error} />}
        {open && detail.data && (
          <>
            <Stack gap="xs">
              <PortalMessage who={t('helpdesk.portal.you')} at={formatDateTime(ticket.createdAt)} body={ticket.description} desk={false} />
              {detail.data.comments.map((c) => (
                <PortalMessage key={c.id} who={c.fromDesk ? t('helpdesk.portal.desk') : (c.authorName ?? t('helpdesk.portal.you'))} at={formatDateTime(c.createdAt)} body={c.body} desk={c.fromDesk} />
              ))}
              {detail.data.remoteSessions
                .filter((s) => sessionPhase(s) !== 'waiting')
                .map((s) => (
                  <Text key={s.id} size="sm" c="gray.7">
                    {t(`helpdesk.portal.remote.${sessionPhase(s)}`, { at: formatDateTime(s.endedAt ?? s.startedAt ?? s.consentAt ?? s.refusedAt ?? s.createdAt), name: s.consentUserName ?? '' })}
                  </Text>
                ))}
            </Stack>
            {ticket.status !== 'closed' && <PortalReply ticketId={ticket.id} />}
            {ticket.satisfaction !== null && <Text size="sm">{t('helpdesk.portal.rated', { rating: ticket.satisfaction })}</Text>}
          </>
        )}
      </Stack>
    </Card>
  );
}

function PortalMessage({ who, at, body, desk }: { who: string; at: string; body: string; desk: boolean }) {
  return (
    <Card padding="xs" bg={desk ? 'blue.0' : 'gray.0'} style={{ marginLeft: desk ? 0 : 8, marginRight: desk ? 8 : 0 }}>
      <Group gap="xs">
        <Text size="sm" fw={700}>
          {who}
        </Text>
        <Text size="xs" c="gray.7">
          {at}
        </Text>
      </Group>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {body}
      </Text>
    </Card>
  );
}

function useRefreshTicket(ticketId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ['portal', 'ticket', ticketId] });
    void queryClient.invalidateQueries({ queryKey: ['portal', 'tickets'] });
  };
}

/** The desk asks to look at a computer from afar: nothing starts until someone here agrees. */
function ConsentBox({ ticketId, session }: { ticketId: string; session: RemoteSession }) {
  const { t } = useTranslation();
  const refresh = useRefreshTicket(ticketId);
  const answer = useMutation({
    mutationFn: (choice: 'consent' | 'refuse') =>
      choice === 'consent'
        ? expectOk(api.POST('/api/v1/helpdesk/remote-sessions/{id}/consent', { params: { path: { id: session.id } } }))
        : expectOk(api.POST('/api/v1/helpdesk/remote-sessions/{id}/refuse', { params: { path: { id: session.id } } })),
    onSuccess: refresh,
  });
  return (
    <Alert color="yellow" variant="light" title={t('helpdesk.portal.consentTitle')} data-testid="consent-request">
      <Stack gap="sm">
        <Text size="sm">{t('helpdesk.portal.consentBody')}</Text>
        {answer.isError && <ApiErrorAlert error={answer.error} />}
        <Stack gap="xs">
          <Button size="md" fullWidth onClick={() => answer.mutate('consent')} loading={answer.isPending && answer.variables === 'consent'} disabled={answer.isPending}>
            {t('helpdesk.portal.consent')}
          </Button>
          <Button size="md" fullWidth variant="default" onClick={() => answer.mutate('refuse')} loading={answer.isPending && answer.variables === 'refuse'} disabled={answer.isPending}>
            {t('helpdesk.portal.refuse')}
          </Button>
        </Stack>
      </Stack>
    </Alert>
  );
}

function PortalReply({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const refresh = useRefreshTicket(ticketId);
  const [text, setText] = useState('');
  const send = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/helpdesk/tickets/{id}/comments', { params: { path: { id: ticketId } }, body: { visibility: 'public', body: text.trim() } })),
    onSuccess: () => {
      setText('');
      refresh();
    },
  });
  return (
    <Stack gap="xs">
      <Textarea label={t('helpdesk.portal.replyLabel')} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={2} maxLength={8000} />
      {send.isError && <ApiErrorAlert error={send.error} />}
      {send.isSuccess && (
        <Text size="sm" c="green.8" role="status">
          {t('helpdesk.portal.replySent')}
        </Text>
      )}
      <Button onClick={() => send.mutate()} loading={send.isPending} disabled={!text.trim()}>
        {t('helpdesk.portal.replySend')}
      </Button>
    </Stack>
  );
}

function RateBox({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const refresh = useRefreshTicket(ticketId);
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const rate = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/helpdesk/tickets/{id}/satisfaction', { params: { path: { id: ticketId } }, body: { rating, ...(comment.trim() ? { comment: comment.trim() } : {}) } })),
    onSuccess: refresh,
  });
  return (
    <Alert color="blue" variant="light" title={t('helpdesk.portal.rateTitle')} data-testid="rate-request">
      <Stack gap="xs">
        <Rating value={rating} onChange={setRating} size="lg" aria-label={t('helpdesk.portal.rateLabel')} getSymbolLabel={(value) => t('helpdesk.portal.rateSymbol', { value })} />
        <Textarea label={t('helpdesk.portal.rateComment')} value={comment} onChange={(e) => setComment(e.currentTarget.value)} autosize minRows={2} maxLength={2000} />
        {rate.isError && <ApiErrorAlert error={rate.error} />}
        <Button onClick={() => rate.mutate()} loading={rate.isPending} disabled={rating === 0}>
          {t('helpdesk.portal.rateSend')}
        </Button>
      </Stack>
    </Alert>
  );
}
