import { Alert, Autocomplete, Badge, Button, Card, Group, Loader, Modal, NumberInput, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { priorities, type IncidentPriority } from '../incidents/incidentModel.ts';
import { PriorityBadge } from '../incidents/PriorityBadge.tsx';
import { RouterLink } from '../router/RouterLink.tsx';
import type { Ticket } from './helpdeskModel.ts';

/** A sensor that has not called in for this long is shown as silent (as the portal does). */
const silentAfterMs = 10 * 60_000;
const alertsShown = 5;

function useSubscriber(ticketId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['helpdesk', 'subscriber', ticketId],
    queryFn: () => expectOk(api.GET('/api/v1/helpdesk/tickets/{id}/subscriber', { params: { path: { id: ticketId } } })),
    enabled,
    refetchInterval: 60_000,
  });
}

/** The subscriber as it is now: contract, sensors, open incidents (linked), recent alerts, contacts. */
export function SubscriberPanel({ ticketId, hasSubscriber }: { ticketId: string; hasSubscriber: boolean }) {
  const { t, i18n } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const overview = useSubscriber(ticketId, hasSubscriber);
  const kindLabel = (kind: string) => (i18n.exists(`incidents.kind.${kind}`) ? t(`incidents.kind.${kind}` as 'incidents.kind.scan') : kind);
  const planName = (code: string) => (code === 'member' || code === 'non_member' ? t(`helpdesk.plan.${code}`) : code);
  const statusLabel = (status: string) => (i18n.exists(`incidents.status.${status}`) ? t(`incidents.status.${status}` as 'incidents.status.new') : status);
  return (
    <Card withBorder padding="md" data-testid="subscriber-context">
      <Title order={3} size="h4" mb="sm">
        {t('helpdesk.contextTitle')}
      </Title>
      {!hasSubscriber && <Text size="sm">{t('helpdesk.contextNoSubscriber')}</Text>}
      {overview.isPending && hasSubscriber && <Loader size="sm" aria-label={t('common.loading')} />}
      {overview.isError && <ApiErrorAlert error={overview.error} />}
      {overview.data?.organization && overview.data.context && (
        <Stack gap="md">
          <Stack gap={2}>
            <Text fw={700} size="lg" style={{ overflowWrap: 'anywhere' }}>
              {overview.data.organization.name}
            </Text>
            <Text size="sm" c="gray.7">
              {[overview.data.organization.membership ? t(`helpdesk.membership.${overview.data.organization.membership === 'member' ? 'member' : 'non_member'}`) : null, [overview.data.organization.prefecture, overview.data.organization.city].filter(Boolean).join('')]
                .filter(Boolean)
                .join(' ・ ')}
            </Text>
            <Text size="sm">
              {overview.data.context.contract
                ? t('helpdesk.contract', { plan: planName(overview.data.context.contract.planCode), start: overview.data.context.contract.startDate, end: overview.data.context.contract.endDate ?? t('helpdesk.contractOpenEnded') })
                : t('helpdesk.noContract')}
            </Text>
          </Stack>

          <Stack gap={6}>
            <Text fw={600}>{t('helpdesk.sensorHealth')}</Text>
            {overview.data.context.sensors.length === 0 && <Text size="sm">{t('helpdesk.noSensors')}</Text>}
            {overview.data.context.sensors.map((s) => {
              const reporting = s.lastHeartbeatAt !== null && Date.now() - Date.parse(s.lastHeartbeatAt) < silentAfterMs;
              const state = s.status === 'revoked' ? 'revoked' : s.status === 'pending' ? 'pending' : reporting ? 'ok' : 'silent';
              return (
                <Group key={s.sensorId} gap="xs" justify="space-between" wrap="nowrap">
                  <Stack gap={0}>
                    <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                      {s.name}
                    </Text>
                    <Text size="xs" c="gray.7">
                      {s.lastHeartbeatAt ? t('helpdesk.lastHeartbeat', { at: formatDateTime(s.lastHeartbeatAt) }) : t('helpdesk.neverSeen')}
                      {s.dropRate !== null ? ` ・ ${t('helpdesk.dropRate', { rate: (s.dropRate * 100).toFixed(1) })}` : ''}
                    </Text>
                  </Stack>
                  <Badge color={state === 'ok' ? 'green' : state === 'silent' ? 'red' : 'gray'} variant="light" radius="sm" style={{ flexShrink: 0 }}>
                    {t(`helpdesk.sensorState.${state}`)}
                  </Badge>
                </Group>
              );
            })}
          </Stack>

          <Stack gap={6}>
            <Text fw={600}>{t('helpdesk.openIncidents', { count: overview.data.context.openIncidents.length })}</Text>
            {overview.data.context.openIncidents.length === 0 && <Text size="sm">{t('helpdesk.noOpenIncidents')}</Text>}
            {overview.data.context.openIncidents.map((incident) => (
              <Group key={incident.id} gap="xs" wrap="nowrap" align="flex-start">
                {priorities.includes(incident.priority as IncidentPriority) && <PriorityBadge priority={incident.priority as IncidentPriority} />}
                <Stack gap={0}>
                  <RouterLink to={`/incidents/${incident.id}`} size="sm" fw={600}>
                    {kindLabel(incident.kind)}
                  </RouterLink>
                  <Text size="xs" c="gray.7">
                    {statusLabel(incident.status)} ・ {t('helpdesk.lastSeen', { at: formatDateTime(incident.lastSeenAt) })}
                  </Text>
                </Stack>
              </Group>
            ))}
          </Stack>

          <Stack gap={6}>
            <Text fw={600}>{t('helpdesk.recentAlerts', { count: overview.data.context.recentAlerts.length })}</Text>
            {overview.data.context.recentAlerts.length === 0 && <Text size="sm">{t('helpdesk.noRecentAlerts')}</Text>}
            {overview.data.context.recentAlerts.slice(0, alertsShown).map((a) => (
              <Stack key={a.id} gap={0}>
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {a.title ? a.title[i18n.language === 'en' ? 'en' : 'ja'] : a.signature}
                </Text>
                {a.title && (
                  <Text size="xs" c="gray.7" style={{ overflowWrap: 'anywhere' }}>
                    {a.signature}
                  </Text>
                )}
                <Text size="xs" c="gray.7">
                  {t('helpdesk.alertLine', { severity: a.severity, at: formatDateTime(a.observedAt) })}
                </Text>
              </Stack>
            ))}
          </Stack>

          <Stack gap={6}>
            <Text fw={600}>{t('helpdesk.contacts')}</Text>
            {overview.data.contacts.length === 0 && <Text size="sm">{t('helpdesk.noContacts')}</Text>}
            {overview.data.contacts.map((c, index) => (
              <Text key={index} size="sm" style={{ overflowWrap: 'anywhere' }}>
                {t(`helpdesk.contactRole.${c.role === 'primary' ? 'primary' : 'backup'}`)}: {[c.name, c.phone, c.email].filter(Boolean).join(' / ')}
              </Text>
            ))}
          </Stack>
        </Stack>
      )}
    </Card>
  );
}

/** 駆け付け: an on-site visit by a local vendor, requested from this ticket; the dispatch pages take it on. */
export function DispatchPanel({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const overview = useSubscriber(ticket.id, ticket.organizationId !== null);
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const jobs = overview.data?.dispatchJobs ?? [];
  return (
    <Card withBorder padding="md" data-testid="dispatch">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4">
          {t('helpdesk.dispatchTitle')}
        </Title>
        <Button variant="light" color="orange" onClick={() => setOpen(true)} disabled={ticket.organizationId === null || !overview.data?.sites.length}>
          {t('helpdesk.dispatchRequest')}
        </Button>
      </Group>
      <Stack gap="xs">
        {ticket.organizationId === null && <Text size="sm">{t('helpdesk.dispatchNeedsSubscriber')}</Text>}
        {overview.data && overview.data.sites.length === 0 && ticket.organizationId !== null && <Text size="sm">{t('helpdesk.dispatchNoSites')}</Text>}
        {created && (
          <Alert color="green" variant="light" role="status">
            {t('helpdesk.dispatchCreated')} <RouterLink to={`/dispatches/${created}`}>{t('helpdesk.dispatchOpen')}</RouterLink>
          </Alert>
        )}
        {jobs.length === 0 && (
          <Text size="sm" c="gray.7">
            {t('helpdesk.dispatchNone')}
          </Text>
        )}
        {jobs.map((job) => (
          <Group key={job.id} gap="xs" wrap="nowrap" justify="space-between">
            <Stack gap={0}>
              <RouterLink to={`/dispatches/${job.id}`} size="sm" fw={600}>
                {t('helpdesk.dispatchJob', { site: job.siteName, skill: job.skill })}
              </RouterLink>
              <Text size="xs" c="gray.7">
                {formatDateTime(job.createdAt)}
              </Text>
            </Stack>
            <Badge variant="light" radius="sm" style={{ flexShrink: 0 }}>
              {t(`helpdesk.dispatchStatus.${isDispatchStatus(job.status) ? job.status : 'requested'}`)}
            </Badge>
          </Group>
        ))}
      </Stack>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('helpdesk.dispatchRequest')} size="lg" closeButtonProps={{ 'aria-label': t('admin.close') }}>
        {open && overview.data && (
          <DispatchForm
            ticket={ticket}
            sites={overview.data.sites}
            contact={overview.data.contacts.find((c) => c.phone) ?? null}
            onCreated={(id) => {
              setCreated(id);
              setOpen(false);
            }}
          />
        )}
      </Modal>
    </Card>
  );
}

const dispatchStatuses = ['requested', 'offered', 'accepted', 'on_site', 'reported', 'signed_off', 'unfilled'] as const;
function isDispatchStatus(status: string): status is (typeof dispatchStatuses)[number] {
  return (dispatchStatuses as readonly string[]).includes(status);
}

function DispatchForm({ ticket, sites, contact, onCreated }: { ticket: Ticket; sites: Array<{ id: string; name: string; address: string | null }>; contact: { name: string; phone: string | null } | null; onCreated: (jobId: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const vendors = useQuery({ queryKey: ['vendors'], queryFn: () => expectOk(api.GET('/api/v1/vendors')), staleTime: 5 * 60_000 });
  const skills = [...new Set((vendors.data ?? []).filter((v) => v.active).flatMap((v) => v.skills))].sort();
  const [siteId, setSiteId] = useState<string | null>(sites[0]?.id ?? null);
  const [skill, setSkill] = useState('');
  const [problem, setProblem] = useState(`${ticket.number} ${ticket.subject}\n${ticket.description}`.slice(0, 4000));
  const [contactName, setContactName] = useState(contact?.name ?? '');
  const [contactPhone, setContactPhone] = useState(contact?.phone ?? '');
  const [offerMinutes, setOfferMinutes] = useState<number>(60);
  const [tried, setTried] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      expectOk(api.POST('/api/v1/dispatch/jobs', { body: { ticketId: ticket.id, siteId: siteId!, skill: skill.trim(), problem: problem.trim(), contactName: contactName.trim(), contactPhone: contactPhone.trim(), offerMinutes } })),
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: ['helpdesk', 'subscriber', ticket.id] });
      onCreated(job.id);
    },
  });
  const missing = { site: !siteId, skill: !skill.trim(), problem: !problem.trim(), contactName: !contactName.trim(), contactPhone: !contactPhone.trim() };
  function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (Object.values(missing).some(Boolean)) return;
    create.mutate();
  }
  const required = t('helpdesk.required');
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm" c="gray.7">
          {t('helpdesk.dispatchIntro')}
        </Text>
        <Select label={t('helpdesk.dispatchSite')} data={sites.map((s) => ({ value: s.id, label: s.address ? `${s.name}（${s.address}）` : s.name }))} value={siteId} onChange={setSiteId} allowDeselect={false} error={tried && missing.site ? required : undefined} />
        <Autocomplete label={t('helpdesk.dispatchSkill')} description={t('helpdesk.dispatchSkillHint')} data={skills} value={skill} onChange={setSkill} maxLength={40} error={tried && missing.skill ? required : undefined} />
        <Textarea label={t('helpdesk.dispatchProblem')} description={t('helpdesk.dispatchProblemHint')} value={problem} onChange={(e) => setProblem(e.currentTarget.value)} autosize minRows={4} maxLength={4000} error={tried && missing.problem ? required : undefined} />
        <Group grow align="flex-start">
          <TextInput label={t('helpdesk.dispatchContactName')} value={contactName} onChange={(e) => setContactName(e.currentTarget.value)} maxLength={100} error={tried && missing.contactName ? required : undefined} />
          <TextInput label={t('helpdesk.dispatchContactPhone')} value={contactPhone} onChange={(e) => setContactPhone(e.currentTarget.value)} maxLength={40} inputMode="tel" error={tried && missing.contactPhone ? required : undefined} />
        </Group>
        <NumberInput label={t('helpdesk.dispatchOfferMinutes')} value={offerMinutes} onChange={(v) => setOfferMinutes(typeof v === 'number' ? v : 60)} min={5} max={1440} step={15} />
        {create.isError && <ApiErrorAlert error={create.error} />}
        <Button type="submit" color="orange" loading={create.isPending}>
          {t('helpdesk.dispatchSubmit')}
        </Button>
      </Stack>
    </form>
  );
}
