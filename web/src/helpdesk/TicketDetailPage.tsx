import { Alert, Badge, Button, Card, Grid, Group, Loader, Rating, SegmentedControl, Select, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { RouterLink } from '../router/RouterLink.tsx';
import { useCannedReplies } from './CannedRepliesPanel.tsx';
import { SlaBadge, TicketPriorityBadge, TicketStatusBadge, useDurationText } from './HelpdeskBadges.tsx';
import { cannedForCategory, isDone, minutesUntil, sessionPhase, ticketCategories, ticketPriorities, ticketStatuses, type Ticket, type TicketCategory, type TicketComment, type TicketDetail, type TicketPriority, type TicketStatus } from './helpdeskModel.ts';
import { RemoteSessionsPanel } from './RemoteSessionsPanel.tsx';
import { DispatchPanel, SubscriberPanel } from './SubscriberPanel.tsx';

type TicketPatch = { status?: TicketStatus; priority?: TicketPriority; category?: TicketCategory; assigneeUserId?: string | null; organizationId?: string };

/** One ticket for the agent: the thread, the reply, the ticket's settings and timers, the subscriber, remote support and dispatch. */
export function TicketDetailPage({ id, userId }: { id: string; userId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const key = ['helpdesk', 'ticket', id];
  // While a remote session waits for the customer's answer, look again every 10 s.
  const detail = useQuery({
    queryKey: key,
    queryFn: () => expectOk(api.GET('/api/v1/helpdesk/tickets/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data?.remoteSessions.some((s) => sessionPhase(s) === 'waiting') ? 10_000 : 60_000),
  });
  const [done, setDone] = useState<string | null>(null);
  const patch = useMutation({
    mutationFn: (body: TicketPatch) => expectOk(api.PATCH('/api/v1/helpdesk/tickets/{id}', { params: { path: { id } }, body })),
    onSuccess: (data) => {
      queryClient.setQueryData(key, data);
      void queryClient.invalidateQueries({ queryKey: ['helpdesk', 'tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['helpdesk', 'counts'] });
    },
  });
  const change = (body: TicketPatch, message: string) => {
    setDone(null);
    patch.mutate(body, { onSuccess: () => setDone(message) });
  };
  const onDetail = (data: TicketDetail) => {
    queryClient.setQueryData(key, data);
    void queryClient.invalidateQueries({ queryKey: ['helpdesk', 'tickets'] });
  };

  if (detail.isPending) return <Loader aria-label={t('common.loading')} />;
  if (detail.isError) return <ApiErrorAlert error={detail.error} />;
  const { ticket, comments, remoteSessions } = detail.data;

  return (
    <Stack gap="md" maw={1400}>
      <RouterLink to="/helpdesk" size="sm">
        {t('helpdesk.backToQueue')}
      </RouterLink>
      <Group gap="sm" align="center">
        <Text fw={700} c="gray.7">
          {ticket.number}
        </Text>
        <TicketPriorityBadge priority={ticket.priority} />
        <TicketStatusBadge status={ticket.status} />
        <Badge variant="outline" color="gray" radius="sm" tt="none">
          {t(`helpdesk.source.${ticket.source}`)}
        </Badge>
      </Group>
      <Title order={2} style={{ overflowWrap: 'anywhere' }}>
        {ticket.subject}
      </Title>
      {(ticket.sla.firstResponse === 'breached' || ticket.sla.resolution === 'breached') && !isDone(ticket.status) && (
        <Alert color="red" variant="filled" role="alert" title={t('helpdesk.breachTitle')}>
          {t('helpdesk.breachBody')}
        </Alert>
      )}
      {done && (
        <Alert color="green" variant="light" role="status" withCloseButton onClose={() => setDone(null)} closeButtonLabel={t('admin.close')}>
          {done}
        </Alert>
      )}
      {patch.isError && <ApiErrorAlert error={patch.error} />}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack gap="md">
            <Thread ticket={ticket} comments={comments} />
            <ReplyBox ticket={ticket} onSent={onDetail} />
            <RemoteSessionsPanel ticket={ticket} sessions={remoteSessions} onChanged={() => void queryClient.invalidateQueries({ queryKey: key })} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="md">
            <ManageCard ticket={ticket} userId={userId} busy={patch.isPending} onChange={change} />
            <SlaCard ticket={ticket} now={detail.dataUpdatedAt} />
            <SatisfactionCard ticket={ticket} />
            <SubscriberPanel ticketId={ticket.id} hasSubscriber={ticket.organizationId !== null} />
            <DispatchPanel ticket={ticket} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** The conversation: what the customer asked, replies they received, and the desk's internal notes (marked apart). */
function Thread({ ticket, comments }: { ticket: Ticket; comments: TicketComment[] }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="sm">
        {t('helpdesk.thread')}
      </Title>
      <Stack gap="sm">
        <Message
          kind="customer"
          label={t(ticket.source === 'phone' ? 'helpdesk.fromPhone' : 'helpdesk.fromCustomer')}
          who={ticket.requesterEmail ?? ticket.organizationName ?? t('helpdesk.unknownSubscriber')}
          at={formatDateTime(ticket.createdAt)}
          body={ticket.description}
        />
        {comments.map((c) => (
          <Message
            key={c.id}
            kind={c.visibility === 'internal' ? 'internal' : c.fromDesk ? 'reply' : 'customer'}
            label={c.visibility === 'internal' ? t('helpdesk.internalNote') : c.fromDesk ? t('helpdesk.replyToCustomer') : t(c.source === 'email' ? 'helpdesk.fromCustomerMail' : 'helpdesk.fromCustomer')}
            who={c.authorName ?? c.authorEmail ?? ''}
            at={formatDateTime(c.createdAt)}
            body={c.body}
          />
        ))}
        {comments.length === 0 && (
          <Text size="sm" c="gray.7">
            {t('helpdesk.noComments')}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

const messageStyle = {
  customer: { bg: 'gray.0', border: 'var(--mantine-color-gray-4)', badge: 'gray', borderStyle: 'solid' },
  reply: { bg: 'blue.0', border: 'var(--mantine-color-blue-5)', badge: 'blue', borderStyle: 'solid' },
  internal: { bg: 'yellow.0', border: 'var(--mantine-color-yellow-7)', badge: 'yellow', borderStyle: 'dashed' },
} as const;

function Message({ kind, label, who, at, body }: { kind: keyof typeof messageStyle; label: string; who: string; at: string; body: string }) {
  const style = messageStyle[kind];
  return (
    <Card padding="sm" bg={style.bg} style={{ border: `2px ${style.borderStyle} ${style.border}`, marginLeft: kind === 'customer' ? 0 : 24 }} data-testid={`message-${kind}`}>
      <Group gap="xs" mb={4} wrap="wrap">
        <Badge color={style.badge} variant={kind === 'internal' ? 'filled' : 'light'} radius="sm" c={kind === 'internal' ? 'dark' : undefined}>
          {label}
        </Badge>
        <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
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

/** A reply mailed to the customer, or an internal note; a canned reply fills the box and stays editable. */
function ReplyBox({ ticket, onSent }: { ticket: Ticket; onSent: (detail: TicketDetail) => void }) {
  const { t } = useTranslation();
  const canned = useCannedReplies();
  const [visibility, setVisibility] = useState<'public' | 'internal'>('public');
  const [text, setText] = useState('');
  const [cannedId, setCannedId] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/helpdesk/tickets/{id}/comments', { params: { path: { id: ticket.id } }, body: { visibility, body: text.trim(), ...(cannedId ? { cannedReplyId: cannedId } : {}) } })),
    onSuccess: (data) => {
      setSent(visibility === 'public' ? (ticket.requesterEmail ? t('helpdesk.replySent') : t('helpdesk.replySavedNoMail')) : t('helpdesk.noteSaved'));
      setText('');
      setCannedId(null);
      onSent(data);
    },
  });
  const options = cannedForCategory(canned.data ?? [], ticket.category).map((r) => ({ value: r.id, label: r.title }));
  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Title order={3} size="h4">
          {t('helpdesk.write')}
        </Title>
        <SegmentedControl
          value={visibility}
          onChange={(v) => setVisibility(v === 'internal' ? 'internal' : 'public')}
          data={[
            { value: 'public', label: t('helpdesk.modeReply') },
            { value: 'internal', label: t('helpdesk.modeNote') },
          ]}
          aria-label={t('helpdesk.modeLabel')}
        />
        {visibility === 'public' && !ticket.requesterEmail && (
          <Alert color="yellow" variant="light">
            {t('helpdesk.noAddress')}
          </Alert>
        )}
        <Select
          label={t('helpdesk.cannedPick')}
          placeholder={canned.data?.length ? t('helpdesk.cannedPickPlaceholder') : t('helpdesk.cannedNone')}
          data={options}
          value={cannedId}
          onChange={(value) => {
            setCannedId(value);
            const reply = canned.data?.find((r) => r.id === value);
            if (reply) setText(reply.body);
          }}
          clearable
          searchable
          disabled={!canned.data?.length}
        />
        <Textarea
          label={visibility === 'public' ? t('helpdesk.replyText') : t('helpdesk.noteText')}
          description={visibility === 'public' ? t('helpdesk.replyHint') : t('helpdesk.noteHint')}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          autosize
          minRows={5}
          maxLength={8000}
          styles={visibility === 'internal' ? { input: { background: 'var(--mantine-color-yellow-0)' } } : undefined}
        />
        {send.isError && <ApiErrorAlert error={send.error} />}
        {sent && (
          <Alert color="green" variant="light" role="status">
            {sent}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button onClick={() => send.mutate()} loading={send.isPending} disabled={!text.trim()} color={visibility === 'internal' ? 'yellow.8' : undefined}>
            {visibility === 'public' ? t('helpdesk.sendReply') : t('helpdesk.saveNote')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ManageCard({ ticket, userId, busy, onChange }: { ticket: Ticket; userId: string; busy: boolean; onChange: (patch: TicketPatch, message: string) => void }) {
  const { t } = useTranslation();
  const agents = useQuery({ queryKey: ['helpdesk', 'agents'], queryFn: () => expectOk(api.GET('/api/v1/helpdesk/agents')), staleTime: 5 * 60_000 });
  const agentOptions = [{ value: 'none', label: t('helpdesk.unassigned') }, ...(agents.data ?? []).map((a) => ({ value: a.id, label: a.displayName }))];
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="sm">
        {t('helpdesk.manage')}
      </Title>
      <Stack gap="sm">
        {ticket.organizationId === null && <AttachSubscriber busy={busy} onAttach={(organizationId) => onChange({ organizationId }, t('helpdesk.attachDone'))} />}
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <Select
            label={t('helpdesk.colAssignee')}
            data={agentOptions}
            value={ticket.assigneeUserId ?? 'none'}
            onChange={(v) => v && onChange({ assigneeUserId: v === 'none' ? null : v }, t('helpdesk.assignedDone'))}
            allowDeselect={false}
            disabled={busy}
            style={{ flex: 1 }}
          />
          {ticket.assigneeUserId !== userId && (
            <Button variant="default" onClick={() => onChange({ assigneeUserId: userId }, t('helpdesk.assignedDone'))} disabled={busy}>
              {t('helpdesk.takeIt')}
            </Button>
          )}
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 3, lg: 1, xl: 3 }} spacing="sm">
          <Select
            label={t('helpdesk.colStatus')}
            data={ticketStatuses.map((s) => ({ value: s, label: t(`helpdesk.status.${s}`) }))}
            value={ticket.status}
            onChange={(v) => v && v !== ticket.status && onChange({ status: v as TicketStatus }, t('helpdesk.statusDone', { status: t(`helpdesk.status.${v as TicketStatus}`) }))}
            allowDeselect={false}
            disabled={busy}
          />
          <Select
            label={t('helpdesk.colPriority')}
            data={ticketPriorities.map((p) => ({ value: p, label: t(`helpdesk.priority.${p}`) }))}
            value={ticket.priority}
            onChange={(v) => v && v !== ticket.priority && onChange({ priority: v as TicketPriority }, t('helpdesk.priorityDone'))}
            allowDeselect={false}
            disabled={busy}
          />
          <Select
            label={t('helpdesk.filterCategory')}
            data={ticketCategories.map((k) => ({ value: k, label: t(`helpdesk.category.${k}`) }))}
            value={ticket.category}
            onChange={(v) => v && v !== ticket.category && onChange({ category: v as TicketCategory }, t('helpdesk.categoryDone'))}
            allowDeselect={false}
            disabled={busy}
          />
        </SimpleGrid>
        <Group gap="xs">
          {!isDone(ticket.status) && (
            <Button variant="light" color="green" onClick={() => onChange({ status: 'resolved' }, t('helpdesk.statusDone', { status: t('helpdesk.status.resolved') }))} disabled={busy}>
              {t('helpdesk.resolve')}
            </Button>
          )}
          {ticket.status !== 'closed' && (
            <Button variant="light" color="gray" onClick={() => onChange({ status: 'closed' }, t('helpdesk.statusDone', { status: t('helpdesk.status.closed') }))} disabled={busy}>
              {t('helpdesk.close')}
            </Button>
          )}
          {isDone(ticket.status) && (
            <Button variant="default" onClick={() => onChange({ status: 'open' }, t('helpdesk.statusDone', { status: t('helpdesk.status.open') }))} disabled={busy}>
              {t('helpdesk.reopen')}
            </Button>
          )}
        </Group>
        {ticket.incidentId && (
          <Text size="sm">
            {t('helpdesk.relatedIncident')} <RouterLink to={`/incidents/${ticket.incidentId}`}>{t('helpdesk.openIncident')}</RouterLink>
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** A mail from an unknown address: the agent says which subscriber it is, once. */
function AttachSubscriber({ busy, onAttach }: { busy: boolean; onAttach: (organizationId: string) => void }) {
  const { t } = useTranslation();
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const subscribers = useQuery({
    queryKey: ['organizations', 'subscriber'],
    queryFn: () => expectOk(api.GET('/api/v1/organizations', { params: { query: { kind: 'subscriber' } } })),
    staleTime: 60_000,
  });
  return (
    <Alert color="orange" variant="light" title={t('helpdesk.attachTitle')}>
      <Stack gap="xs">
        <Text size="sm">{t('helpdesk.attachHint')}</Text>
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <Select
            label={t('helpdesk.callSubscriber')}
            data={(subscribers.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
            value={organizationId}
            onChange={setOrganizationId}
            searchable
            nothingFoundMessage={t('helpdesk.nothingFound')}
            style={{ flex: 1 }}
          />
          <Button onClick={() => organizationId && onAttach(organizationId)} disabled={!organizationId || busy}>
            {t('helpdesk.attach')}
          </Button>
        </Group>
        {subscribers.isError && <ApiErrorAlert error={subscribers.error} />}
      </Stack>
    </Alert>
  );
}

/** First response and resolution: due time, what is left (or how late), and the state of each. */
function SlaCard({ ticket, now }: { ticket: Ticket; now: number }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const duration = useDurationText();
  const timers = [
    { timer: 'firstResponse' as const, dueAt: ticket.firstResponseDueAt, doneAt: ticket.firstRespondedAt },
    { timer: 'resolution' as const, dueAt: ticket.resolutionDueAt, doneAt: ticket.resolvedAt },
  ];
  return (
    <Card withBorder padding="md" data-testid="sla-card">
      <Title order={3} size="h4" mb="sm">
        {t('helpdesk.slaTitle')}
      </Title>
      <Stack gap="sm">
        {timers.map(({ timer, dueAt, doneAt }) => (
          <Stack key={timer} gap={2}>
            <Group gap="xs" justify="space-between" wrap="nowrap">
              <Text fw={600}>{t(`helpdesk.timer.${timer}`)}</Text>
              <SlaBadge timer={timer} state={ticket.sla[timer]} />
            </Group>
            <Text size="sm">{t('helpdesk.dueAt', { at: formatDateTime(dueAt) })}</Text>
            <Text size="sm" c={doneAt ? 'gray.7' : minutesUntil(dueAt, now) < 0 ? 'red.8' : undefined} fw={!doneAt && minutesUntil(dueAt, now) < 0 ? 700 : undefined}>
              {doneAt ? t('helpdesk.doneAt', { at: formatDateTime(doneAt) }) : duration(minutesUntil(dueAt, now))}
            </Text>
          </Stack>
        ))}
        <Text size="xs" c="gray.7">
          {t(ticket.priority === 'urgent' ? 'helpdesk.slaCalendar24x7' : 'helpdesk.slaCalendarBusiness')}
        </Text>
      </Stack>
    </Card>
  );
}

function SatisfactionCard({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  if (!isDone(ticket.status) && ticket.satisfaction === null) return null;
  return (
    <Card withBorder padding="md" data-testid="satisfaction">
      <Title order={3} size="h4" mb="xs">
        {t('helpdesk.satisfaction')}
      </Title>
      {ticket.satisfaction === null ? (
        <Text size="sm" c="gray.7">
          {t('helpdesk.satisfactionWaiting')}
        </Text>
      ) : (
        <Stack gap={4}>
          <Group gap="xs">
            <Rating value={ticket.satisfaction} readOnly aria-hidden />
            <Text fw={700}>{t('helpdesk.satisfactionValue', { rating: ticket.satisfaction })}</Text>
          </Group>
          {ticket.satisfactionComment && (
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {ticket.satisfactionComment}
            </Text>
          )}
        </Stack>
      )}
    </Card>
  );
}

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="gray.7">
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  );
}
