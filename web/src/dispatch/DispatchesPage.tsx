import { Alert, Button, Card, Group, Loader, Select, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { useFormatYen } from '../operator/format.ts';
import { RouterLink } from '../router/RouterLink.tsx';
import { DispatchStatusBadge, JobFacts, JobFiles, JobReport, JobTimes, OfferErrorAlert, useSkillLabel, type DispatchStatus } from './dispatchUi.tsx';

const dispatchesKey = ['dispatches'] as const;
const statuses: DispatchStatus[] = ['requested', 'offered', 'accepted', 'on_site', 'reported', 'signed_off', 'unfilled'];
const offerColor = { pending: 'yellow.9', accepted: 'green.9', declined: 'red.9', expired: 'gray.7' } as const;

/** The desk's on-site jobs (help desk and operator): every job with its status; with an id, one job. */
export function DispatchesPage({ id }: { id?: string }) {
  return id ? <DispatchDetail id={id} /> : <DispatchList />;
}

function DispatchList() {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const formatDateTime = useFormatDateTime();
  const skillLabel = useSkillLabel();
  const [status, setStatus] = useState<DispatchStatus | null>(null);
  const jobs = useQuery({ queryKey: dispatchesKey, queryFn: () => expectOk(api.GET('/api/v1/dispatch/jobs', { params: { query: { limit: 200 } } })), refetchInterval: 30_000 });
  const rows = (jobs.data ?? []).filter((j) => !status || j.status === status);
  return (
    <Stack gap="md" maw={1200}>
      <Title order={2}>{t('admin.dispatches')}</Title>
      <Text c="gray.7">{t('partners.desk.intro')}</Text>
      <Select
        label={t('partners.desk.statusFilter')}
        placeholder={t('partners.desk.allStatuses')}
        data={statuses.map((s) => ({ value: s, label: t(`partners.status.${s}`) }))}
        value={status}
        onChange={(v) => setStatus(v as DispatchStatus | null)}
        clearable
        w={240}
      />
      {jobs.isPending && <Loader aria-label={t('common.loading')} />}
      {jobs.isError && <ApiErrorAlert error={jobs.error} />}
      {jobs.data && rows.length === 0 && <Alert color="gray">{t('partners.desk.empty')}</Alert>}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('partners.desk.created')}</Table.Th>
                <Table.Th>{t('partners.job.company')}</Table.Th>
                <Table.Th>{t('partners.desk.place')}</Table.Th>
                <Table.Th>{t('partners.job.skill')}</Table.Th>
                <Table.Th>{t('partners.desk.statusLabel')}</Table.Th>
                <Table.Th>{t('partners.desk.vendor')}</Table.Th>
                <Table.Th ta="right">{t('partners.report.cost')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((j) => (
                <Table.Tr key={j.id}>
                  <Table.Td>
                    <RouterLink to={`/dispatches/${j.id}`}>{formatDateTime(j.createdAt)}</RouterLink>
                  </Table.Td>
                  <Table.Td>{j.companyName}</Table.Td>
                  <Table.Td>{[j.siteName, j.city].filter(Boolean).join('・')}</Table.Td>
                  <Table.Td>{skillLabel(j.skill)}</Table.Td>
                  <Table.Td>
                    <DispatchStatusBadge status={j.status} />
                  </Table.Td>
                  <Table.Td>{j.vendorName ?? (j.offers?.find((o) => o.status === 'pending') ? t('partners.desk.waitingFor', { vendor: j.offers.find((o) => o.status === 'pending')!.vendorName }) : '—')}</Table.Td>
                  <Table.Td ta="right">{j.costYen === null ? '—' : yen(j.costYen)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function DispatchDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const job = useQuery({ queryKey: [...dispatchesKey, id], queryFn: () => expectOk(api.GET('/api/v1/dispatch/jobs/{id}', { params: { path: { id } } })), refetchInterval: 30_000 });
  const open = job.data && ['requested', 'offered', 'unfilled'].includes(job.data.status);
  const candidates = useQuery({
    queryKey: [...dispatchesKey, id, 'candidates'],
    queryFn: () => expectOk(api.GET('/api/v1/dispatch/jobs/{id}/candidates', { params: { path: { id } } })),
    enabled: Boolean(open),
  });
  // Without a vendor: the next best candidate; with one: the candidate the desk picked (e.g. the one of last time).
  const offer = useMutation({
    mutationFn: (chosen?: { vendorId: string; companyName: string }) => expectOk(api.POST('/api/v1/dispatch/jobs/{id}/offer', { params: { path: { id } }, body: chosen ? { vendorId: chosen.vendorId } : {} })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dispatchesKey }),
  });
  const pending = job.data?.offers?.some((o) => o.status === 'pending');
  return (
    <Stack gap="md" maw={1200}>
      <RouterLink to="/dispatches" size="sm">
        {t('partners.desk.back')}
      </RouterLink>
      <Title order={2}>{job.data ? t('partners.desk.detailTitle', { company: job.data.companyName, site: job.data.siteName }) : t('admin.dispatches')}</Title>
      {job.isPending && <Loader aria-label={t('common.loading')} />}
      {job.isError && <ApiErrorAlert error={job.error} />}
      {job.data && (
        <>
          <Group gap="sm">
            <DispatchStatusBadge status={job.data.status} />
            {job.data.vendorName && <Text fw={700}>{t('partners.desk.heldBy', { vendor: job.data.vendorName })}</Text>}
            {job.data.incidentId && <RouterLink to={`/incidents/${job.data.incidentId}`}>{t('partners.desk.incident')}</RouterLink>}
          </Group>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Card withBorder padding="md">
              <JobFacts job={job.data} />
            </Card>
            <Stack gap="md">
              <Card withBorder padding="md">
                <JobTimes job={job.data} />
                {job.data.costYen !== null && (
                  <Text fw={700} mt="xs">
                    {t('partners.desk.cost', { amount: yen(job.data.costYen) })}
                  </Text>
                )}
              </Card>
              <Card withBorder padding="md">
                <Stack gap="sm">
                  <Title order={3} size="h4">
                    {t('partners.files.title')}
                  </Title>
                  <JobFiles job={job.data} />
                </Stack>
              </Card>
            </Stack>
          </SimpleGrid>
          {open && (
            <Card withBorder padding="md">
              <Stack gap="sm">
                <Group justify="space-between">
                  <Title order={3} size="h4">
                    {t('partners.desk.candidates')}
                  </Title>
                  <Button onClick={() => offer.mutate(undefined)} loading={offer.isPending && !offer.variables} disabled={pending || offer.isPending || (candidates.data?.length ?? 0) === 0}>
                    {t('partners.desk.offerNext')}
                  </Button>
                </Group>
                <Text size="sm" c="gray.7">
                  {pending ? t('partners.desk.pendingNote') : t('partners.desk.candidatesNote')}
                </Text>
                {offer.isError && <OfferErrorAlert error={offer.error} />}
                {offer.isSuccess && offer.variables && (
                  <Alert color="green" role="status">
                    {t('partners.desk.offeredTo', { vendor: offer.variables.companyName })}
                  </Alert>
                )}
                {candidates.isError && <ApiErrorAlert error={candidates.error} />}
                {candidates.data && candidates.data.length === 0 && <Alert color="orange">{t('partners.desk.noCandidates')}</Alert>}
                {candidates.data && candidates.data.length > 0 && (
                  <Table.ScrollContainer minWidth={560}>
                    <Table verticalSpacing={4} data-testid="candidates">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('partners.desk.rank')}</Table.Th>
                          <Table.Th>{t('partners.desk.vendor')}</Table.Th>
                          <Table.Th>{t('partners.desk.match')}</Table.Th>
                          <Table.Th>{t('partners.desk.load')}</Table.Th>
                          <Table.Th ta="right">{t('partners.vendors.hourlyRate')}</Table.Th>
                          <Table.Th>
                            <VisuallyHidden>{t('partners.desk.offerColumn')}</VisuallyHidden>
                          </Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {candidates.data.map((c, i) => (
                          <Table.Tr key={c.organizationId}>
                            <Table.Td>{i + 1}</Table.Td>
                            <Table.Td>{c.companyName}</Table.Td>
                            <Table.Td>{t(`partners.desk.matchLabel.${c.match}`)}</Table.Td>
                            <Table.Td>{t('partners.desk.loadValue', { open: c.openJobs, capacity: c.capacity })}</Table.Td>
                            <Table.Td ta="right">{yen(c.hourlyRateYen)}</Table.Td>
                            <Table.Td ta="right">
                              <Button
                                size="xs"
                                variant="light"
                                onClick={() => offer.mutate({ vendorId: c.organizationId, companyName: c.companyName })}
                                loading={offer.isPending && offer.variables?.vendorId === c.organizationId}
                                disabled={pending || offer.isPending}
                                aria-label={t('partners.desk.offerToVendorNamed', { vendor: c.companyName })}
                              >
                                {t('partners.desk.offerToVendor')}
                              </Button>
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                )}
              </Stack>
            </Card>
          )}
          <Card withBorder padding="md">
            <Stack gap="sm">
              <Title order={3} size="h4">
                {t('partners.desk.offers')}
              </Title>
              {(job.data.offers ?? []).length === 0 ? (
                <Text c="gray.7">{t('partners.desk.noOffers')}</Text>
              ) : (
                <Table.ScrollContainer minWidth={720}>
                  <Table verticalSpacing={4} data-testid="offers">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('partners.desk.rank')}</Table.Th>
                        <Table.Th>{t('partners.desk.vendor')}</Table.Th>
                        <Table.Th>{t('partners.desk.offeredAt')}</Table.Th>
                        <Table.Th>{t('partners.desk.deadline')}</Table.Th>
                        <Table.Th>{t('partners.desk.answer')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {(job.data.offers ?? []).map((o) => (
                        <Table.Tr key={`${o.vendorOrganizationId}-${o.rank}`}>
                          <Table.Td>{o.rank}</Table.Td>
                          <Table.Td>{o.vendorName}</Table.Td>
                          <Table.Td>{formatDateTime(o.offeredAt)}</Table.Td>
                          <Table.Td>{formatDateTime(o.deadlineAt)}</Table.Td>
                          <Table.Td>
                            <Text size="sm" c={offerColor[o.status]} fw={700} span>
                              {t(`partners.desk.offerStatus.${o.status}`)}
                            </Text>
                            {o.reason && (
                              <Text size="sm" span style={{ overflowWrap: 'anywhere' }}>
                                {t('partners.desk.reason', { reason: o.reason })}
                              </Text>
                            )}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Stack>
          </Card>
          <JobReport job={job.data} />
        </>
      )}
    </Stack>
  );
}
