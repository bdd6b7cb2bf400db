import { Alert, Badge, Button, Card, Group, Loader, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { SessionInfo } from '../auth/session.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { PriorityBadge } from '../incidents/PriorityBadge.tsx';
import { useLiveIncidentEvents } from '../incidents/liveEvents.ts';
import { currentMonth, shiftMonth } from '../operator/format.ts';
import { safetyOf, type SafetyLevel } from './safetyStatus.ts';
import { PortalSupport } from './PortalSupport.tsx';
import { PortalDispatchAndClaims } from './PortalDispatchAndClaims.tsx';

const levelStyle: Record<SafetyLevel, { bg: string; border: string; text: string; mark: string }> = {
  safe: { bg: 'green.0', border: 'green.7', text: 'green.9', mark: '✓' },
  caution: { bg: 'yellow.0', border: 'yellow.7', text: 'yellow.9', mark: '!' },
  danger: { bg: 'red.0', border: 'red.8', text: 'red.9', mark: '!!' },
};

/** A sensor that has not called in for this long is shown as not reporting. */
const silentAfterMs = 10 * 60_000;
const monthsShown = 6;

/** The Japan month (YYYY-MM) of an instant. */
function japanMonth(iso: string): string {
  return new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 7);
}

/**
 * The owner's portal, made for a phone: are we safe (and why), what happened and what to do, an
 * acknowledge button, one big help button, the sensor's state and the past months.
 */
export function PortalPage({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const [ownerAcknowledged, setOwnerAcknowledged] = useState<Set<string>>(new Set());
  const [helpOpen, setHelpOpen] = useState(false);
  const helpRequest = useHelpRequest();
  const open = useQuery({
    queryKey: ['portal', 'open-incidents'],
    queryFn: () => expectOk(api.GET('/api/v1/incidents', { params: { query: { sort: 'priority', limit: 50 } } })),
    refetchInterval: 30_000,
  });
  // A new or changed incident of this company shows at once (the 30 s poll stays as the safety net).
  const queryClient = useQueryClient();
  useLiveIncidentEvents(() => void queryClient.invalidateQueries({ queryKey: ['portal', 'open-incidents'] }));
  const openItems = open.data?.items ?? [];
  // Acknowledged here, earlier, by anyone of the company or through the mail's link: all count.
  const safety = safetyOf(openItems, new Set([...ownerAcknowledged, ...openItems.filter((i) => i.customerAcknowledgement).map((i) => i.id)]));
  const style = levelStyle[safety.level];

  return (
    <Stack gap="md" maw={720}>
      <Title order={2}>{t('portal.title', { name: session.organization.name })}</Title>
      {open.isPending && <Loader aria-label={t('common.loading')} />}
      {open.isError && <ApiErrorAlert error={open.error} />}
      {open.data && (
        <Card withBorder bg={style.bg} style={{ borderColor: `var(--mantine-color-${style.border.replace('.', '-')})`, borderWidth: 3 }} padding="lg" role="status" aria-live="polite" data-testid="safety">
          <Group gap="md" wrap="nowrap" align="center">
            <Text aria-hidden fz={40} fw={900} c={style.text} lh={1} miw={48} ta="center">
              {style.mark}
            </Text>
            <Stack gap={4}>
              <Text fz={40} fw={900} c={style.text} lh={1.1}>
                {t(`portal.level.${safety.level}`)}
              </Text>
              <Text fw={500}>{t(`portal.reason.${safety.reason}`, { count: safety.open, urgent: safety.urgent })}</Text>
            </Stack>
          </Group>
        </Card>
      )}
      <Button
        size="xl"
        color="red.8"
        fullWidth
        onClick={() => {
          setHelpOpen(true);
          // One press is the request; pressing again while it is answered does not send a second one.
          if (helpRequest.isIdle || helpRequest.isError) helpRequest.mutate(openItems[0]?.id ?? null);
        }}
      >
        {t('portal.help')}
      </Button>
      {openItems.length > 0 && (
        <Stack gap="sm">
          <Title order={3} size="h4">
            {t('portal.openIncidents')}
          </Title>
          {openItems.map((incident) => (
            <OpenIncidentCard
              key={incident.id}
              id={incident.id}
              priority={incident.priority}
              lastSeenAt={incident.lastSeenAt}
              acknowledged={ownerAcknowledged.has(incident.id)}
              onAcknowledged={() => setOwnerAcknowledged((s) => new Set([...s, incident.id]))}
            />
          ))}
        </Stack>
      )}
      <PortalDispatchAndClaims />
      <PortalSupport />
      {session.user.role === 'subscriber_admin' && <Contacts organizationId={session.organization.id} />}
      <SensorStatus />
      <PastMonths />
      <HelpModal opened={helpOpen} onClose={() => setHelpOpen(false)} request={helpRequest} onRetry={() => helpRequest.mutate(openItems[0]?.id ?? null)} />
    </Stack>
  );
}

function OpenIncidentCard({ id, priority, lastSeenAt, acknowledged, onAcknowledged }: { id: string; priority: 'P1' | 'P2' | 'P3' | 'P4'; lastSeenAt: string; acknowledged: boolean; onAcknowledged: () => void }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const detail = useQuery({ queryKey: ['portal', 'incident', id], queryFn: () => expectOk(api.GET('/api/v1/incidents/{id}', { params: { path: { id } } })) });
  const acknowledge = useMutation({ mutationFn: () => acknowledgeIncident(id), onSuccess: onAcknowledged });
  return (
    <Card withBorder padding="md" data-testid="portal-incident">
      <Stack gap="xs">
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <PriorityBadge priority={priority} />
          <Text size="xs" c="gray.7">
            {t('portal.lastSeen', { at: formatDateTime(lastSeenAt) })}
          </Text>
        </Group>
        {detail.isPending && <Loader size="sm" aria-label={t('common.loading')} />}
        {detail.isError && <ApiErrorAlert error={detail.error} />}
        {detail.data && (
          <>
            <Text fw={700} size="lg">
              {detail.data.ownerText.subject}
            </Text>
            <Text size="md" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {detail.data.ownerText.body}
            </Text>
          </>
        )}
        {acknowledged || acknowledge.isSuccess ? (
          <Badge color="green" variant="light" size="lg" radius="sm">
            {t('portal.acknowledged')}
          </Badge>
        ) : (
          <Button size="md" onClick={() => acknowledge.mutate()} loading={acknowledge.isPending}>
            {t('portal.acknowledge')}
          </Button>
        )}
        {acknowledge.isError && <ApiErrorAlert error={acknowledge.error} />}
      </Stack>
    </Card>
  );
}

function SensorStatus() {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const sensors = useQuery({ queryKey: ['portal', 'sensors'], queryFn: () => expectOk(api.GET('/api/v1/sensors')), refetchInterval: 60_000 });
  const active = (sensors.data ?? []).filter((s) => s.status !== 'revoked');
  const health = useQueries({
    queries: active.map((s) => ({ queryKey: ['portal', 'sensor-health', s.id], queryFn: () => expectOk(api.GET('/api/v1/sensors/{id}/health', { params: { path: { id: s.id } } })) })),
  });
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">
        {t('portal.sensors')}
      </Title>
      {sensors.isPending && <Loader size="sm" aria-label={t('common.loading')} />}
      {sensors.isError && <ApiErrorAlert error={sensors.error} />}
      {sensors.data && active.length === 0 && <Text size="sm">{t('portal.noSensors')}</Text>}
      <Stack gap="sm">
        {active.map((sensor, index) => {
          const reporting = sensor.lastSeenAt !== null && Date.now() - Date.parse(sensor.lastSeenAt) < silentAfterMs;
          const last = health[index]?.data?.samples.at(-1);
          return (
            <Stack key={sensor.id} gap={2}>
              <Group gap="xs" justify="space-between" wrap="nowrap">
                <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                  {sensor.name}
                </Text>
                <Badge color={sensor.status === 'pending' ? 'gray' : reporting ? 'green' : 'red'} variant="light" radius="sm" style={{ flexShrink: 0 }}>
                  {sensor.status === 'pending' ? t('portal.sensorPending') : reporting ? t('portal.sensorOk') : t('portal.sensorSilent')}
                </Badge>
              </Group>
              <Text size="sm" c="gray.7">
                {sensor.lastSeenAt ? t('portal.lastHeartbeat', { at: formatDateTime(sensor.lastSeenAt) }) : t('portal.neverSeen')}
              </Text>
              {last && (
                <Text size="sm" c="gray.7">
                  {t('portal.sensorHealth', { cpu: Math.round(last.cpuPercent ?? 0), drop: ((last.dropRate ?? 0) * 100).toFixed(1) })}
                </Text>
              )}
            </Stack>
          );
        })}
      </Stack>
    </Card>
  );
}

/** The last months from the incidents themselves (the programme statistics are the operator's). */
function PastMonths() {
  const { t } = useTranslation();
  const thisMonth = currentMonth();
  const first = shiftMonth(thisMonth, -(monthsShown - 1));
  const from = new Date(Date.parse(`${first}-01T00:00:00+09:00`)).toISOString();
  const history = useQuery({
    queryKey: ['portal', 'history', first],
    queryFn: () => expectOk(api.GET('/api/v1/incidents', { params: { query: { status: ['new', 'acknowledged', 'investigating', 'customer_notified', 'resolved'], from, sort: 'recent', limit: 200 } } })),
  });
  const months = Array.from({ length: monthsShown }, (_, i) => shiftMonth(thisMonth, -i));
  const byMonth = new Map<string, { total: number; urgent: number; resolved: number }>();
  for (const incident of history.data?.items ?? []) {
    const month = japanMonth(incident.firstSeenAt);
    const entry = byMonth.get(month) ?? { total: 0, urgent: 0, resolved: 0 };
    entry.total += 1;
    if (incident.priority === 'P1' || incident.priority === 'P2') entry.urgent += 1;
    if (incident.status === 'resolved') entry.resolved += 1;
    byMonth.set(month, entry);
  }
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {t('portal.pastMonths')}
      </Title>
      {history.isPending && <Loader size="sm" aria-label={t('common.loading')} />}
      {history.isError && <ApiErrorAlert error={history.error} />}
      {history.data && (
        <Table fz="sm" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('portal.month')}</Table.Th>
              <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>{t('portal.monthTotal')}</Table.Th>
              <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>{t('portal.monthUrgent')}</Table.Th>
              <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>{t('portal.monthResolved')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {months.map((month) => {
              const entry = byMonth.get(month) ?? { total: 0, urgent: 0, resolved: 0 };
              return (
                <Table.Tr key={month}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{t('portal.monthLabel', { year: month.slice(0, 4), month: Number(month.slice(5, 7)) })}</Table.Td>
                  <Table.Td ta="right">{t('portal.cases', { count: entry.total })}</Table.Td>
                  <Table.Td ta="right">{t('portal.cases', { count: entry.urgent })}</Table.Td>
                  <Table.Td ta="right">{t('portal.cases', { count: entry.resolved })}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}

/**
 * One press asks for help: the request goes out at once (the server attaches the open incidents,
 * recent alerts and sensor health); the owner may add words afterwards by phone or mail.
 */
function HelpModal({ opened, onClose, request, onRetry }: { opened: boolean; onClose: () => void; request: HelpRequest; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t('portal.helpTitle')} closeButtonProps={{ 'aria-label': t('admin.close') }} size="md">
      <Stack gap="sm">
        {request.isPending && <Loader aria-label={t('common.loading')} />}
        {request.isError && <ApiErrorAlert error={request.error} />}
        {request.isError && (
          <Button variant="default" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )}
        {request.data && (
          <Alert color="green" variant="light" role="status">
            <Text fw={700}>{t('portal.helpSent', { number: request.data.ticket.number })}</Text>
            <Text size="sm">{t('portal.helpNext')}</Text>
          </Alert>
        )}
        <Button onClick={onClose}>{t('admin.close')}</Button>
      </Stack>
    </Modal>
  );
}

/**
 * The help button's request: the server attaches the open incidents, recent alerts and sensor
 * health, so the owner needs to type nothing; the incident on top of the list is named.
 */
function useHelpRequest() {
  const { t } = useTranslation();
  return useMutation({
    mutationFn: (incidentId: string | null) =>
      expectOk(
        api.POST('/api/v1/helpdesk/help-requests', {
          body: { subject: t('portal.helpSubject'), description: t('portal.helpDescription'), category: incidentId ? 'security_incident' : 'other', ...(incidentId ? { incidentId } : {}) },
        }),
      ),
  });
}
type HelpRequest = ReturnType<typeof useHelpRequest>;

/** The customer's acknowledgement: reminders and escalation stop for this incident. */
function acknowledgeIncident(id: string) {
  return expectOk(api.POST('/api/v1/incidents/{id}/acknowledge', { params: { path: { id } } }));
}

function Contacts({ organizationId }: { organizationId: string }) {
  const { t } = useTranslation();
  const contacts = useQuery({
    queryKey: ['portal', 'contacts', organizationId],
    queryFn: () => expectOk(api.GET('/api/v1/organizations/{id}/notification-contacts', { params: { path: { id: organizationId } } })),
  });
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">
        {t('portal.contacts')}
      </Title>
      {contacts.isPending && <Loader size="sm" aria-label={t('common.loading')} />}
      {contacts.isError && <ApiErrorAlert error={contacts.error} />}
      {contacts.data && contacts.data.length === 0 && <Text size="sm">{t('portal.noContacts')}</Text>}
      <Stack gap="xs">
        {contacts.data?.map((contact) => (
          <Stack key={contact.id} gap={0}>
            <Group gap="xs">
              <Text fw={600}>{contact.name}</Text>
              <Badge variant="light" color={contact.role === 'primary' ? 'blue' : 'gray'} radius="sm">
                {t(`portal.contactRole.${contact.role}`)}
              </Badge>
            </Group>
            <Text size="sm" c="gray.7" style={{ overflowWrap: 'anywhere' }}>
              {[contact.email, contact.phone].filter(Boolean).join(' / ')}
            </Text>
          </Stack>
        ))}
      </Stack>
    </Card>
  );
}
