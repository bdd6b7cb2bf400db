import { Alert, Badge, Button, Card, Group, Loader, Modal, MultiSelect, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { fetchQueuePage, queueQueryKey, queueStaleMs, takeEarlyFirstPage } from './queueFirstPage.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { followLink, navigate } from '../router/router.ts';
import classes from './queueTable.module.css';
import { directions, engines, incidentStatuses, priorities, resolutions, transitionTargets, type IncidentAction, type IncidentQueueItem, type IncidentResolution, type TransitionTarget } from './incidentModel.ts';
import { useLiveIncidentEvents } from './liveEvents.ts';
import { PriorityBadge, StatusBadge } from './PriorityBadge.tsx';
import { defaultFilters, deleteView, loadViews, queryOfFilters, saveView, type QueueFilters, type SavedView } from './savedViews.ts';

/**
 * New arrivals and changes come over the server's event stream (liveEvents.ts): each event refetches
 * the loaded pages (several events in a burst, once). While the stream is down the queue polls,
 * slowly: the stream is the normal way, the poll only the safety net.
 */
const fallbackPollMs = 30_000;
const refetchDelayMs = 300;

/** Keys that move through the queue; typing in a field is left alone. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * The SOC queue across all subscribers: filters, saved views, keyboard navigation (j/k, Enter, x),
 * bulk transition / assignment and live arrivals. Helpdesk reads; analysts act.
 */
export function IncidentQueuePage({ canAct, userId }: { canAct: boolean; userId: string }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<QueueFilters>(defaultFilters);
  const [views, setViews] = useState<SavedView[]>(() => loadViews());
  const [viewName, setViewName] = useState('');
  const [cursor, setCursor] = useState(0);
  const movedByKey = useRef(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkOpen, setBulkOpen] = useState(false);
  const [bulkResult, setBulkResult] = useState<{ ok: number; failed: number } | null>(null);
  const query = queryOfFilters(filters);

  // Live: an event refetches the queue (debounced); a stream that comes back catches up once.
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refetchSoon = useCallback(() => {
    if (refetchTimer.current) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = null;
      void queryClient.invalidateQueries({ queryKey: ['incidents', 'queue'] });
    }, refetchDelayMs);
  }, [queryClient]);
  useEffect(() => () => {
    if (refetchTimer.current) clearTimeout(refetchTimer.current);
  }, []);
  const live = useLiveIncidentEvents(refetchSoon);
  const wasDown = useRef(false);
  useEffect(() => {
    if (live === 'down') wasDown.current = true;
    if (live === 'open' && wasDown.current) {
      wasDown.current = false;
      refetchSoon();
    }
  }, [live, refetchSoon]);

  // Thousands of subscribers: their names are fetched when the filter is opened (or already set),
  // not before the queue's first page.
  const [subscribersWanted, setSubscribersWanted] = useState(false);
  const subscribers = useQuery({
    enabled: subscribersWanted || filters.organizationId !== null,
    queryKey: ['organizations', 'subscriber'],
    queryFn: () => expectOk(api.GET('/api/v1/organizations', { params: { query: { kind: 'subscriber' } } })),
    staleTime: 60_000,
  });
  const incidents = useInfiniteQuery({
    queryKey: queueQueryKey(query),
    // A primed first page (main.tsx) is not asked for again on mount; live events refresh it.
    staleTime: queueStaleMs,
    queryFn: ({ pageParam }) => (pageParam === null ? takeEarlyFirstPage(JSON.stringify(query)) : null) ?? fetchQueuePage(query, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    refetchInterval: live === 'open' ? false : fallbackPollMs,
  });
  const rows = useMemo(() => incidents.data?.pages.flatMap((p) => p.items) ?? [], [incidents.data]);

  // Live arrivals: ids not in the first load of these filters are marked new until the filters change.
  const seen = useRef<Set<string> | null>(null);
  const [arrived, setArrived] = useState<Set<string>>(new Set());
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    seen.current = null;
    setArrived(new Set());
    setCursor(0);
    setSelected(new Set());
  }, [queryKey]);
  useEffect(() => {
    if (!incidents.data) return;
    if (!seen.current) {
      seen.current = new Set(rows.map((r) => r.id));
      return;
    }
    const fresh = rows.filter((r) => !seen.current!.has(r.id)).map((r) => r.id);
    if (fresh.length === 0) return;
    for (const id of fresh) seen.current.add(id);
    setArrived((previous) => new Set([...previous, ...fresh]));
  }, [rows, incidents.data]);

  // j/k move, Enter opens, x selects: the queue is worked from the keyboard.
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (isTyping(event.target) || event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === 'j' || event.key === 'k') {
        movedByKey.current = true;
        setCursor((c) => (event.key === 'j' ? Math.min(c + 1, Math.max(rows.length - 1, 0)) : Math.max(c - 1, 0)));
      }
      else if (event.key === 'Enter' && rows[cursor] && !(event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement)) navigate(`/incidents/${rows[cursor].id}`);
      else if (event.key === 'x' && rows[cursor] && canAct) toggle(rows[cursor].id);
      else return;
      event.preventDefault();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });
  // Follow the cursor when the keyboard moved it (not on the first render: scrolling there would
  // force a layout of the whole page before it is even painted).
  useEffect(() => {
    if (!movedByKey.current) return;
    movedByKey.current = false;
    document.querySelector(`[data-row-index="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  function toggle(id: string) {
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function update(patch: Partial<QueueFilters>) {
    setFilters((f) => ({ ...f, ...patch }));
  }

  async function runBulk(action: IncidentAction) {
    let ok = 0;
    let failed = 0;
    // One at a time: each is its own audited change, and a refusal (wrong state) does not stop the rest.
    for (const id of selected) {
      try {
        await action(id);
        ok += 1;
      } catch {
        failed += 1;
      }
    }
    setBulkResult({ ok, failed });
    setSelected(new Set());
    await queryClient.invalidateQueries({ queryKey: ['incidents'] });
  }

  const subscriberOptions = (subscribers.data ?? []).map((o) => ({ value: o.id, label: o.name }));
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <Stack gap="md" maw={1400}>
      <Title order={2}>{t('admin.incidents')}</Title>
      <Text c="gray.7">{t('live.queueIntro')}</Text>
      <Card withBorder padding="sm">
        <Stack gap="sm">
          <Group gap="sm" align="flex-end">
            <MultiSelect label={t('incidents.filterStatus')} placeholder={t('incidents.openOnly')} data={incidentStatuses.map((s) => ({ value: s, label: t(`incidents.status.${s}`) }))} value={filters.statuses} onChange={(v) => update({ statuses: v as QueueFilters['statuses'] })} clearable w={240} />
            <MultiSelect label={t('incidents.filterPriority')} placeholder={t('incidents.all')} data={priorities.map((p) => ({ value: p, label: t('incidents.priorityLabel', { priority: p, name: t(`incidents.priority.${p}`) }) }))} value={filters.priorities} onChange={(v) => update({ priorities: v as QueueFilters['priorities'] })} clearable w={220} />
            <Select label={t('incidents.filterSubscriber')} placeholder={t('incidents.all')} data={subscriberOptions} value={filters.organizationId} onChange={(v) => update({ organizationId: v })} onDropdownOpen={() => setSubscribersWanted(true)} onFocus={() => setSubscribersWanted(true)} nothingFoundMessage={subscribers.isFetching ? t('common.loading') : undefined} clearable searchable w={220} />
            <Select label={t('incidents.filterDirection')} placeholder={t('incidents.all')} data={directions.map((d) => ({ value: d, label: t(`incidents.direction.${d}`) }))} value={filters.direction} onChange={(v) => update({ direction: v as QueueFilters['direction'] })} clearable w={150} />
            <Select label={t('incidents.filterEngine')} placeholder={t('incidents.all')} data={engines.map((e) => ({ value: e, label: t(`incidents.engine.${e}`) }))} value={filters.engine} onChange={(v) => update({ engine: v as QueueFilters['engine'] })} clearable w={150} />
          </Group>
          <Group gap="sm" align="flex-end">
            <TextInput type="datetime-local" label={t('incidents.filterFrom')} value={filters.from} onChange={(e) => update({ from: e.currentTarget.value })} w={220} />
            <TextInput type="datetime-local" label={t('incidents.filterTo')} value={filters.to} onChange={(e) => update({ to: e.currentTarget.value })} w={220} />
            <Select label={t('incidents.sort')} data={[{ value: 'priority', label: t('incidents.sortPriority') }, { value: 'recent', label: t('incidents.sortRecent') }]} value={filters.sort} onChange={(v) => update({ sort: v === 'recent' ? 'recent' : 'priority' })} allowDeselect={false} w={200} />
            <Button variant="subtle" onClick={() => setFilters(defaultFilters)}>
              {t('incidents.resetFilters')}
            </Button>
          </Group>
          <Group gap="sm" align="flex-end">
            <Select
              label={t('incidents.savedViews')}
              placeholder={views.length ? t('incidents.chooseView') : t('incidents.noViews')}
              data={views.map((v) => v.name)}
              value={null}
              onChange={(name) => {
                const view = views.find((v) => v.name === name);
                if (view) setFilters(view.filters);
              }}
              disabled={views.length === 0}
              w={220}
            />
            <TextInput label={t('incidents.viewName')} value={viewName} onChange={(e) => setViewName(e.currentTarget.value)} w={200} />
            <Button
              variant="default"
              disabled={!viewName.trim()}
              onClick={() => {
                setViews(saveView(views, { name: viewName.trim(), filters }));
                setViewName('');
              }}
            >
              {t('incidents.saveView')}
            </Button>
            {views.length > 0 && (
              <Select
                label={t('incidents.deleteView')}
                placeholder={t('incidents.chooseView')}
                data={views.map((v) => v.name)}
                value={null}
                onChange={(name) => name && setViews(deleteView(views, name))}
                w={200}
              />
            )}
          </Group>
        </Stack>
      </Card>

      <Group justify="space-between" gap="sm">
        <Text size="sm" c="gray.7">
          {t('incidents.keyboardHelp')}
        </Text>
        <Group gap="xs">
          <Badge color={live === 'open' ? 'teal' : live === 'down' ? 'orange' : 'gray'} variant="dot" size="lg" data-testid="live-state" data-state={live}>
            {live === 'open' ? t('live.streaming') : live === 'down' ? t('live.fallback', { seconds: fallbackPollMs / 1000 }) : t('live.connecting')}
          </Badge>
          {arrived.size > 0 && (
            <>
              <Badge color="teal" variant="filled" size="lg" aria-live="polite" data-testid="arrived-count">
                {t('incidents.arrived', { count: arrived.size })}
              </Badge>
              <Button size="compact-sm" variant="subtle" onClick={() => setArrived(new Set())}>
                {t('live.markSeen')}
              </Button>
            </>
          )}
          {incidents.isFetching && <Loader size="xs" aria-label={t('common.loading')} />}
        </Group>
      </Group>

      {canAct && selected.size > 0 && (
        <Group gap="sm">
          <Text size="sm" fw={700}>
            {t('incidents.selectedCount', { count: selected.size })}
          </Text>
          <Button size="xs" onClick={() => setBulkOpen(true)}>
            {t('incidents.bulkTransition')}
          </Button>
          <Button size="xs" variant="default" onClick={() => void runBulk((id) => expectOk(api.POST('/api/v1/incidents/{id}/assign', { params: { path: { id } }, body: { assigneeUserId: userId } })))}>
            {t('incidents.bulkAssignMe')}
          </Button>
        </Group>
      )}
      {bulkResult && (
        <Alert color={bulkResult.failed ? 'orange' : 'green'} role="status" withCloseButton closeButtonLabel={t('admin.close')} onClose={() => setBulkResult(null)}>
          {t('incidents.bulkDone', { ok: bulkResult.ok, failed: bulkResult.failed })}
        </Alert>
      )}

      {incidents.isPending && <Loader aria-label={t('common.loading')} />}
      {incidents.isError && <ApiErrorAlert error={incidents.error} />}
      {incidents.data && rows.length === 0 && <Alert color="gray">{t('incidents.emptyQueue')}</Alert>}
      {rows.length > 0 && (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={1320} type="native">
            <Table verticalSpacing="xs" highlightOnHover aria-label={t('admin.incidents')}>
              <Table.Thead>
                <Table.Tr>
                  {canAct && (
                    <Table.Th w={40}>
                      <input type="checkbox" className={classes.checkbox} aria-label={t('incidents.selectAll')} checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))} />
                    </Table.Th>
                  )}
                  <Table.Th>{t('incidents.priorityColumn')}</Table.Th>
                  <Table.Th>{t('incidents.titleColumn')}</Table.Th>
                  <Table.Th>{t('incidents.subscriber')}</Table.Th>
                  <Table.Th>{t('incidents.directionColumn')}</Table.Th>
                  <Table.Th>{t('incidents.engineColumn')}</Table.Th>
                  <Table.Th>{t('incidents.statusColumn')}</Table.Th>
                  <Table.Th>{t('live.ackColumn')}</Table.Th>
                  <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>{t('incidents.detections')}</Table.Th>
                  <Table.Th>{t('incidents.lastSeen')}</Table.Th>
                  <Table.Th>{t('incidents.assignee')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((incident, index) => (
                  <QueueRow
                    key={incident.id}
                    incident={incident}
                    index={index}
                    current={index === cursor}
                    fresh={arrived.has(incident.id)}
                    selectable={canAct}
                    selected={selected.has(incident.id)}
                    onToggle={() => toggle(incident.id)}
                    mine={incident.assigneeUserId === userId}
                    lastSeen={formatDateTime(incident.lastSeenAt)}
                    acknowledgedAt={incident.customerAcknowledgement ? formatDateTime(incident.customerAcknowledgement.at) : null}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      {incidents.hasNextPage && (
        <Button variant="default" onClick={() => void incidents.fetchNextPage()} loading={incidents.isFetchingNextPage} style={{ alignSelf: 'flex-start' }}>
          {t('incidents.loadMore')}
        </Button>
      )}
      <BulkTransitionModal opened={bulkOpen} count={selected.size} onClose={() => setBulkOpen(false)} onApply={(to, resolution) => {
        setBulkOpen(false);
        void runBulk((id) => expectOk(api.POST('/api/v1/incidents/{id}/transition', { params: { path: { id } }, body: { to, ...(to === 'resolved' && resolution ? { resolution } : {}) } })));
      }} />
    </Stack>
  );
}

function QueueRow(props: { incident: IncidentQueueItem; index: number; current: boolean; fresh: boolean; selectable: boolean; selected: boolean; onToggle: () => void; mine: boolean; lastSeen: string; acknowledgedAt: string | null }) {
  const { t } = useTranslation();
  const { incident } = props;
  const ack = incident.customerAcknowledgement;
  const href = `/incidents/${incident.id}`;
  const via = ack ? (ack.via ? t(`live.ackVia.${ack.via}`) : t('live.ackViaUnknown')) : '';
  return (
    <tr className={classes.row} data-row-index={props.index} data-fresh={props.fresh || undefined} aria-selected={props.current}>
      {props.selectable && (
        <td className={classes.cell}>
          <input type="checkbox" className={classes.checkbox} aria-label={t('incidents.selectOne', { title: incident.title })} checked={props.selected} onChange={props.onToggle} />
        </td>
      )}
      <td className={classes.cell}>
        <PriorityBadge priority={incident.priority} />
      </td>
      <td className={classes.cell}>
        <div className={classes.titleLine}>
          <a className={classes.title} href={href} onClick={(event) => followLink(event, href)}>
            {incident.title}
          </a>
          {props.fresh && (
            <Badge color="teal" size="sm" variant="filled">
              {t('incidents.new')}
            </Badge>
          )}
        </div>
        <div className={classes.meta}>
          {t(`incidents.kind.${incident.kind}`)}
          {incident.insideHost ? ` · ${incident.insideHost}` : ''}
          {incident.peer ? ` ↔ ${incident.peer}` : ''}
        </div>
      </td>
      <td className={classes.cell}>{incident.organizationName}</td>
      <td className={`${classes.cell} ${classes.nowrap}`}>{t(`incidents.direction.${incident.direction}`)}</td>
      <td className={classes.cell}>{t(`incidents.engine.${incident.engine}`)}</td>
      <td className={classes.cell}>
        <StatusBadge status={incident.status} />
      </td>
      <td className={classes.cell}>
        {ack ? (
          <div className={classes.ack} title={t('live.ackTitle', { at: props.acknowledgedAt ?? '', via, by: ack.by ?? t('live.ackByUnknown') })}>
            <span className={classes.ackBadge}>{t('live.ackDone')}</span>
            <span className={classes.meta}>{props.acknowledgedAt}</span>
            <span className={`${classes.meta} ${classes.nowrap}`}>
              {via}
              {ack.by ? ` · ${ack.by}` : ''}
            </span>
          </div>
        ) : (
          <span className={classes.muted}>{t('live.ackNone')}</span>
        )}
      </td>
      <td className={`${classes.cell} ${classes.numeric}`}>
        <CountBadge count={incident.alertCount} />
      </td>
      <td className={`${classes.cell} ${classes.nowrap}`}>{props.lastSeen}</td>
      <td className={`${classes.cell} ${classes.nowrap}`}>{incident.assigneeUserId ? (props.mine ? t('incidents.assignedMe') : t('incidents.assignedOther')) : t('incidents.unassigned')}</td>
    </tr>
  );
}

/** "+N": the detections beyond the first that the incident has absorbed. */
export function CountBadge({ count }: { count: number }) {
  const { t } = useTranslation();
  if (count <= 1) return <span>{t('incidents.countOne')}</span>;
  return (
    <span className={classes.count} title={t('incidents.countTitle', { count })}>
      {t('incidents.countMore', { more: count - 1 })}
    </span>
  );
}

function BulkTransitionModal({ opened, count, onClose, onApply }: { opened: boolean; count: number; onClose: () => void; onApply: (to: TransitionTarget, resolution: IncidentResolution | null) => void }) {
  const { t } = useTranslation();
  const [to, setTo] = useState<TransitionTarget | null>(null);
  const [resolution, setResolution] = useState<IncidentResolution | null>(null);
  const ready = to !== null && (to !== 'resolved' || resolution !== null);
  return (
    <Modal opened={opened} onClose={onClose} title={t('incidents.bulkTransitionTitle', { count })} closeButtonProps={{ 'aria-label': t('admin.close') }}>
      <Stack gap="sm">
        <Select label={t('incidents.transitionTo')} data={transitionTargets.map((s) => ({ value: s, label: t(`incidents.status.${s}`) }))} value={to} onChange={(v) => setTo(v as TransitionTarget | null)} />
        {to === 'resolved' && <Select label={t('incidents.resolution')} data={resolutions.map((r) => ({ value: r, label: t(`incidents.resolutionLabel.${r}`) }))} value={resolution} onChange={(v) => setResolution(v as IncidentResolution | null)} />}
        <Text size="sm" c="gray.7">
          {t('incidents.bulkNote')}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('incidents.cancel')}
          </Button>
          <Button disabled={!ready} onClick={() => to && onApply(to, resolution)}>
            {t('incidents.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
