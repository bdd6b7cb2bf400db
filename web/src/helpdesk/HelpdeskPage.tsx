import { Button, Card, Group, Loader, Modal, Select, SimpleGrid, Stack, Table, Tabs, Text, Title, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { RouterLink } from '../router/RouterLink.tsx';
import { navigate } from '../router/router.ts';
import { CannedRepliesPanel } from './CannedRepliesPanel.tsx';
import { NextDue, TicketPriorityBadge, TicketStatusBadge } from './HelpdeskBadges.tsx';
import { ticketCategories, ticketPriorities, ticketSources, ticketStatuses, type TicketCategory, type TicketPriority, type TicketSource, type TicketStatus } from './helpdeskModel.ts';
import { PhoneCallForm } from './PhoneCallForm.tsx';

export const cannedRepliesPath = '/helpdesk/canned-replies';
const pollMs = 30_000;

interface QueueFilters {
  /** `active`: new, open and waiting for the customer; `all`: every status. */
  status: TicketStatus | 'active' | 'all';
  priority: TicketPriority | null;
  category: TicketCategory | null;
  source: TicketSource | null;
  /** An agent's id, or `none` for unassigned. */
  assignee: string | null;
  sla: 'breached' | 'due_soon' | null;
  sort: 'sla_due' | 'newest';
}

const defaultFilters: QueueFilters = { status: 'active', priority: null, category: null, source: null, assignee: null, sla: null, sort: 'sla_due' };

/** The help desk (相談窓口): the ticket queue and the canned replies, one tab each. */
export function HelpdeskPage({ tab, userId }: { tab: 'tickets' | 'canned'; userId: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap="md" maw={1400}>
      <Title order={2}>{t('admin.helpdesk')}</Title>
      <Tabs value={tab} onChange={(value) => navigate(value === 'canned' ? cannedRepliesPath : '/helpdesk')} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="tickets">{t('helpdesk.tabTickets')}</Tabs.Tab>
          <Tabs.Tab value="canned">{t('helpdesk.tabCanned')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="tickets" pt="md">
          <TicketQueue userId={userId} />
        </Tabs.Panel>
        <Tabs.Panel value="canned" pt="md">
          <CannedRepliesPanel />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function TicketQueue({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const [filters, setFilters] = useState<QueueFilters>(defaultFilters);
  const [phoneOpen, setPhoneOpen] = useState(false);
  const update = (patch: Partial<QueueFilters>) => setFilters((f) => ({ ...f, ...patch }));

  const query = {
    ...(filters.status === 'active' ? { active: 'true' as const } : filters.status === 'all' ? {} : { status: filters.status }),
    ...(filters.priority ? { priority: filters.priority } : {}),
    ...(filters.category ? { category: filters.category } : {}),
    ...(filters.source ? { source: filters.source } : {}),
    ...(filters.assignee ? { assigneeUserId: filters.assignee } : {}),
    ...(filters.sla ? { sla: filters.sla } : {}),
    sort: filters.sort,
    limit: 200,
  };
  const tickets = useQuery({ queryKey: ['helpdesk', 'tickets', query], queryFn: () => expectOk(api.GET('/api/v1/helpdesk/tickets', { params: { query } })), refetchInterval: pollMs });
  const counts = useQuery({ queryKey: ['helpdesk', 'counts'], queryFn: () => expectOk(api.GET('/api/v1/helpdesk/ticket-counts')), refetchInterval: pollMs });
  const agents = useQuery({ queryKey: ['helpdesk', 'agents'], queryFn: () => expectOk(api.GET('/api/v1/helpdesk/agents')), staleTime: 5 * 60_000 });
  const now = tickets.dataUpdatedAt || Date.now();

  const assigneeOptions = [
    { value: userId, label: t('helpdesk.assigneeMe') },
    { value: 'none', label: t('helpdesk.unassigned') },
    ...(agents.data ?? []).filter((a) => a.id !== userId).map((a) => ({ value: a.id, label: a.displayName })),
  ];
  const c = counts.data;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Text c="gray.7" maw={760}>
          {t('helpdesk.queueIntro')}
        </Text>
        <Button onClick={() => setPhoneOpen(true)}>{t('helpdesk.logCall')}</Button>
      </Group>
      {counts.isError && <ApiErrorAlert error={counts.error} />}
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" data-testid="ticket-counts">
        <CountCard label={t('helpdesk.countActive')} value={c?.active} onClick={() => setFilters({ ...defaultFilters })} />
        <CountCard label={t('helpdesk.status.new')} value={c?.byStatus.new} onClick={() => setFilters({ ...defaultFilters, status: 'new' })} />
        <CountCard label={t('helpdesk.status.pending_customer')} value={c?.byStatus.pending_customer} onClick={() => setFilters({ ...defaultFilters, status: 'pending_customer' })} />
        <CountCard label={t('helpdesk.unassigned')} value={c?.unassigned} onClick={() => setFilters({ ...defaultFilters, assignee: 'none' })} />
        <CountCard label={t('helpdesk.slaFilter.due_soon')} value={c?.dueSoon} color="orange.8" onClick={() => setFilters({ ...defaultFilters, sla: 'due_soon' })} />
        <CountCard label={t('helpdesk.slaFilter.breached')} value={c?.breached} color="red.8" onClick={() => setFilters({ ...defaultFilters, sla: 'breached' })} />
      </SimpleGrid>
      <Card withBorder padding="sm">
        <Group gap="sm" align="flex-end">
          <Select
            label={t('helpdesk.filterStatus')}
            data={[{ value: 'active', label: t('helpdesk.activeOnly') }, ...ticketStatuses.map((s) => ({ value: s, label: t(`helpdesk.status.${s}`) })), { value: 'all', label: t('helpdesk.allStatuses') }]}
            value={filters.status}
            onChange={(v) => update({ status: (v ?? 'active') as QueueFilters['status'] })}
            allowDeselect={false}
            w={200}
          />
          <Select label={t('helpdesk.filterPriority')} placeholder={t('helpdesk.all')} data={ticketPriorities.map((p) => ({ value: p, label: t(`helpdesk.priority.${p}`) }))} value={filters.priority} onChange={(v) => update({ priority: v as TicketPriority | null })} clearable w={140} />
          <Select label={t('helpdesk.filterCategory')} placeholder={t('helpdesk.all')} data={ticketCategories.map((k) => ({ value: k, label: t(`helpdesk.category.${k}`) }))} value={filters.category} onChange={(v) => update({ category: v as TicketCategory | null })} clearable w={190} />
          <Select label={t('helpdesk.filterAssignee')} placeholder={t('helpdesk.all')} data={assigneeOptions} value={filters.assignee} onChange={(v) => update({ assignee: v })} clearable w={180} />
          <Select label={t('helpdesk.filterChannel')} placeholder={t('helpdesk.all')} data={ticketSources.map((s) => ({ value: s, label: t(`helpdesk.source.${s}`) }))} value={filters.source} onChange={(v) => update({ source: v as TicketSource | null })} clearable w={200} />
          <Select
            label={t('helpdesk.filterSla')}
            placeholder={t('helpdesk.all')}
            data={(['breached', 'due_soon'] as const).map((s) => ({ value: s, label: t(`helpdesk.slaFilter.${s}`) }))}
            value={filters.sla}
            onChange={(v) => update({ sla: v as QueueFilters['sla'] })}
            clearable
            w={150}
          />
          <Select
            label={t('helpdesk.sort')}
            data={[{ value: 'sla_due', label: t('helpdesk.sortSlaDue') }, { value: 'newest', label: t('helpdesk.sortNewest') }]}
            value={filters.sort}
            onChange={(v) => update({ sort: v === 'newest' ? 'newest' : 'sla_due' })}
            allowDeselect={false}
            w={170}
          />
          <Button variant="subtle" onClick={() => setFilters(defaultFilters)}>
            {t('helpdesk.resetFilters')}
          </Button>
        </Group>
      </Card>

      {tickets.isPending && <Loader aria-label={t('common.loading')} />}
      {tickets.isError && <ApiErrorAlert error={tickets.error} />}
      {tickets.data && (
        <>
          <Text size="sm" c="gray.7" aria-live="polite">
            {t('helpdesk.shown', { count: tickets.data.length })}
          </Text>
          {tickets.data.length === 0 ? (
            <Card withBorder padding="lg">
              <Text>{t('helpdesk.noTickets')}</Text>
            </Card>
          ) : (
            <Table.ScrollContainer minWidth={940}>
              <Table striped highlightOnHover verticalSpacing="xs" fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th style={{ whiteSpace: 'nowrap' }}>{t('helpdesk.colNumber')}</Table.Th>
                    <Table.Th>{t('helpdesk.colSubject')}</Table.Th>
                    <Table.Th>{t('helpdesk.colSubscriber')}</Table.Th>
                    <Table.Th>{t('helpdesk.colPriority')}</Table.Th>
                    <Table.Th>{t('helpdesk.colStatus')}</Table.Th>
                    <Table.Th>{t('helpdesk.colAssignee')}</Table.Th>
                    <Table.Th>{t('helpdesk.colDue')}</Table.Th>
                    <Table.Th style={{ whiteSpace: 'nowrap' }}>{t('helpdesk.colCreated')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {tickets.data.map((ticket) => (
                    <Table.Tr key={ticket.id} data-testid="ticket-row">
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{ticket.number}</Table.Td>
                      <Table.Td miw={220} maw={340}>
                        <RouterLink to={`/helpdesk/${ticket.id}`} fw={600} style={{ overflowWrap: 'anywhere' }}>
                          {ticket.subject}
                        </RouterLink>
                        <Text size="xs" c="gray.7">
                          {t(`helpdesk.category.${ticket.category}`)} ・ {t(`helpdesk.source.${ticket.source}`)}
                        </Text>
                      </Table.Td>
                      <Table.Td miw={120} maw={200} style={{ overflowWrap: 'anywhere' }}>
                        {ticket.organizationName ?? <Text span size="sm" c="orange.8">{t('helpdesk.unknownSubscriber')}</Text>}
                      </Table.Td>
                      <Table.Td>
                        <TicketPriorityBadge priority={ticket.priority} />
                      </Table.Td>
                      <Table.Td>
                        <TicketStatusBadge status={ticket.status} />
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{ticket.assigneeName ?? <Text span size="sm" c="gray.7">{t('helpdesk.unassigned')}</Text>}</Table.Td>
                      <Table.Td>
                        <NextDue ticket={ticket} now={now} />
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(ticket.createdAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </>
      )}
      <Modal opened={phoneOpen} onClose={() => setPhoneOpen(false)} title={t('helpdesk.logCallTitle')} size="lg" closeButtonProps={{ 'aria-label': t('admin.close') }}>
        <PhoneCallForm onCreated={(id) => navigate(`/helpdesk/${id}`)} />
      </Modal>
    </Stack>
  );
}

function CountCard({ label, value, color, onClick }: { label: string; value: number | undefined; color?: string; onClick: () => void }) {
  return (
    <UnstyledButton onClick={onClick} aria-label={`${label} ${value ?? ''}`}>
      <Card withBorder padding="sm">
        <Text size="sm" c="gray.7">
          {label}
        </Text>
        <Text fz={28} fw={800} c={value ? color : undefined} lh={1.2}>
          {value ?? '–'}
        </Text>
      </Card>
    </UnstyledButton>
  );
}
