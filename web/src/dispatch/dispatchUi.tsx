/**
 * Pieces every dispatch screen shares (vendor, desk, customer): the status in words, the facts of
 * the visit, the files with their download links, and the vendor's report.
 */
import { Alert, Anchor, Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/apiError.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { useFormatYen } from '../operator/format.ts';

export type DispatchJob = components['schemas']['DispatchJobDetail'];
export type DispatchStatus = DispatchJob['status'];

const statusColor: Record<DispatchStatus, string> = {
  requested: 'gray',
  offered: 'yellow',
  accepted: 'blue',
  on_site: 'indigo',
  reported: 'orange',
  signed_off: 'green',
  unfilled: 'red',
};

export function DispatchStatusBadge({ status }: { status: DispatchStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColor[status]} variant="light" radius="sm" style={{ flexShrink: 0, width: 'max-content', maxWidth: 'none' }} data-testid="dispatch-status">
      {t(`partners.status.${status}`)}
    </Badge>
  );
}

/** "1時間30分" from minutes. */
export function useFormatMinutes(): (minutes: number) => string {
  const { t } = useTranslation();
  return (minutes) => (minutes >= 60 ? t('partners.hoursMinutes', { hours: Math.floor(minutes / 60), minutes: minutes % 60 }) : t('partners.minutes', { minutes }));
}

const wrap = { overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' } as const;

/** The address to go to: a site address usually starts with its prefecture and city already. */
export function placeOf(job: Pick<DispatchJob, 'prefecture' | 'city' | 'address'>): string {
  const area = [job.prefecture, job.city].filter(Boolean).join(' ');
  if (!job.address) return area;
  const compact = (text: string) => text.replace(/\s+/g, '');
  return compact(job.address).startsWith(compact(area)) || (job.prefecture && job.address.includes(job.prefecture)) ? job.address : `${area} ${job.address}`.trim();
}

/** The usual skill codes of the vendor registry, said in words; any other code is shown as written. */
export const knownSkills = ['pc_repair', 'network', 'malware_removal', 'server', 'cabling', 'data_recovery'] as const;
type KnownSkill = (typeof knownSkills)[number];

export function useSkillLabel(): (code: string) => string {
  const { t } = useTranslation();
  return (code) => ((knownSkills as readonly string[]).includes(code) ? t(`partners.skill.${code as KnownSkill}`) : code);
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="gray.7">
        {label}
      </Text>
      <Text size="md" style={wrap}>
        {children}
      </Text>
    </Stack>
  );
}

/** Where to go, whom to ask for, and what the problem is: all a vendor is told of the customer. */
export function JobFacts({ job }: { job: DispatchJob }) {
  const { t } = useTranslation();
  const place = placeOf(job);
  const skillLabel = useSkillLabel();
  return (
    <Stack gap="sm">
      <Fact label={t('partners.job.company')}>{job.companyName}</Fact>
      <Fact label={t('partners.job.site')}>{job.siteName}</Fact>
      <Fact label={t('partners.job.address')}>
        {place ? (
          <Anchor href={`https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(place)}`} target="_blank" rel="noopener noreferrer">
            {place}
          </Anchor>
        ) : (
          t('partners.job.noAddress')
        )}
      </Fact>
      <Fact label={t('partners.job.contact')}>
        {job.contactName}
        {'　'}
        <Anchor href={`tel:${job.contactPhone.replace(/[^\d+]/g, '')}`}>{job.contactPhone}</Anchor>
      </Fact>
      <Fact label={t('partners.job.skill')}>{skillLabel(job.skill)}</Fact>
      <Fact label={t('partners.job.problem')}>{job.problem}</Fact>
    </Stack>
  );
}

export function JobFiles({ job }: { job: DispatchJob }) {
  const { t } = useTranslation();
  if (job.files.length === 0) return <Text c="gray.7">{t('partners.files.none')}</Text>;
  return (
    <Stack gap={6} data-testid="job-files">
      {job.files.map((f) => (
        <Group key={f.id} gap="xs" wrap="nowrap" justify="space-between">
          <Anchor href={`/api/v1/dispatch/jobs/${job.id}/files/${f.id}`} download={f.fileName} style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
            {f.fileName}
          </Anchor>
          <Text size="xs" c="gray.7" style={{ flexShrink: 0 }}>
            {t('partners.files.size', { kb: Math.max(1, Math.round(f.sizeBytes / 1024)) })}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

/** The vendor's report with time and cost, and whether the customer has signed it off. */
export function JobReport({ job }: { job: DispatchJob }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const formatMinutes = useFormatMinutes();
  const formatDateTime = useFormatDateTime();
  if (!job.reportedAt) return null;
  return (
    <Card withBorder padding="md" data-testid="job-report">
      <Stack gap="sm">
        <Title order={3} size="h4">
          {t('partners.report.title')}
        </Title>
        <Fact label={t('partners.report.workDone')}>{job.workDone}</Fact>
        <Group gap="xl">
          <Fact label={t('partners.report.time')}>{formatMinutes(job.minutesWorked ?? 0)}</Fact>
          <Fact label={t('partners.report.cost')}>{yen(job.costYen ?? 0)}</Fact>
        </Group>
        <Fact label={t('partners.report.report')}>{job.report}</Fact>
        <Text size="sm" c="gray.7">
          {t('partners.report.reportedAt', { at: formatDateTime(job.reportedAt) })}
        </Text>
        {job.signedOffAt ? (
          <Badge color="green" variant="light" size="lg" radius="sm" style={{ width: 'max-content', maxWidth: '100%' }}>
            {t('partners.report.signedOff', { at: formatDateTime(job.signedOffAt) })}
          </Badge>
        ) : (
          <Text size="sm" c="orange.9">
            {t('partners.report.awaitingSignOff')}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

/** Arrival, report and sign-off times in order (for the desk and the customer). */
export function JobTimes({ job }: { job: DispatchJob }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const rows: Array<[string, string | null]> = [
    [t('partners.times.created'), job.createdAt],
    [t('partners.times.arrived'), job.arrivedAt],
    [t('partners.times.reported'), job.reportedAt],
    [t('partners.times.signedOff'), job.signedOffAt],
  ];
  return (
    <Table withRowBorders={false} verticalSpacing={2}>
      <Table.Tbody>
        {rows.map(([label, at]) => (
          <Table.Tr key={label}>
            <Table.Td c="gray.7" w={140}>
              {label}
            </Table.Td>
            <Table.Td>{at ? formatDateTime(at) : '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Why the server refused the vendor the desk picked (`details.reason` of its 409). */
const chosenRefusals = ['not_a_vendor', 'inactive', 'already_offered', 'no_skill', 'no_room', 'no_area'] as const;
type ChosenRefusal = (typeof chosenRefusals)[number];

function chosenRefusal(error: unknown): ChosenRefusal | null {
  if (!(error instanceof ApiError) || error.code !== 'conflict' || typeof error.details !== 'object' || error.details === null) return null;
  const reason = (error.details as { reason?: unknown }).reason;
  return (chosenRefusals as readonly unknown[]).includes(reason) ? (reason as ChosenRefusal) : null;
}

/** A failed offer: for a refused choice of vendor, why and what to do; otherwise the usual message. */
export function OfferErrorAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const reason = chosenRefusal(error);
  if (!reason) return <ApiErrorAlert error={error} />;
  return (
    <Alert color="red" variant="light" role="alert" data-testid="error-alert">
      <Text size="sm">{t(`partners.desk.chosenRefused.${reason}`)}</Text>
    </Alert>
  );
}
