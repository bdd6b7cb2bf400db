import { Alert, Button, Card, Group, Loader, NumberInput, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { DispatchStatusBadge, JobFiles, JobReport, type DispatchJob } from '../dispatch/dispatchUi.tsx';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { ClaimStatusBadge, ClaimThread, type Claim } from '../insurer/claimUi.tsx';
import { useFormatYen } from '../operator/format.ts';

const jobsKey = ['portal', 'dispatches'] as const;
const claimsKey = ['portal', 'claims'] as const;

/**
 * The owner's on-site visits and insurance, in the portal: a vendor's report waiting for the
 * owner's sign-off comes first with one button; then the policy, a claim started from an
 * incident, and the insurer's questions and decision.
 */
export function PortalDispatchAndClaims() {
  return (
    <>
      <Dispatches />
      <Insurance />
    </>
  );
}

function Dispatches() {
  const { t } = useTranslation();
  const jobs = useQuery({ queryKey: jobsKey, queryFn: () => expectOk(api.GET('/api/v1/dispatch/jobs', { params: { query: { limit: 50 } } })), refetchInterval: 60_000 });
  if (jobs.isPending) return <Loader size="sm" aria-label={t('common.loading')} />;
  if (jobs.isError) return <ApiErrorAlert error={jobs.error} />;
  // Waiting for the owner first, then the newest.
  const rows = [...jobs.data].sort((a, b) => Number(b.status === 'reported') - Number(a.status === 'reported'));
  return (
    <Stack gap="sm">
      <Title order={3} size="h4">
        {t('partners.portal.dispatches')}
      </Title>
      {rows.length === 0 && <Text c="gray.7">{t('partners.portal.noDispatches')}</Text>}
      {rows.map((job) => (
        <PortalJob key={job.id} job={job} />
      ))}
    </Stack>
  );
}

function PortalJob({ job }: { job: DispatchJob }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const signOff = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/dispatch/jobs/{id}/sign-off', { params: { path: { id: job.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: jobsKey }),
  });
  return (
    <Card withBorder padding="md" data-testid="portal-dispatch">
      <Stack gap="xs">
        <Group gap="xs" justify="space-between" wrap="nowrap">
          <DispatchStatusBadge status={job.status} />
          <Text size="xs" c="gray.7">
            {t('partners.portal.requestedAt', { at: formatDateTime(job.createdAt) })}
          </Text>
        </Group>
        <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
          {job.vendorName ? t('partners.portal.vendorVisit', { vendor: job.vendorName, site: job.siteName }) : t('partners.portal.lookingForVendor', { site: job.siteName })}
        </Text>
        <Text size="sm" lineClamp={3} style={{ overflowWrap: 'anywhere' }}>
          {job.problem}
        </Text>
        {job.arrivedAt && <Text size="sm">{t('partners.vendor.arrivedAt', { at: formatDateTime(job.arrivedAt) })}</Text>}
        <JobReport job={job} />
        {job.files.length > 0 && <JobFiles job={job} />}
        {job.status === 'reported' && (
          <Stack gap={4}>
            <Text size="sm">{t('partners.portal.signOffNote')}</Text>
            <Button size="lg" fullWidth color="green.8" onClick={() => signOff.mutate()} loading={signOff.isPending}>
              {t('partners.portal.signOff')}
            </Button>
          </Stack>
        )}
        {signOff.isError && <ApiErrorAlert error={signOff.error} />}
      </Stack>
    </Card>
  );
}

function Insurance() {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const policies = useQuery({ queryKey: ['portal', 'policies'], queryFn: () => expectOk(api.GET('/api/v1/insurance/policies')) });
  const claims = useQuery({ queryKey: claimsKey, queryFn: () => expectOk(api.GET('/api/v1/insurance/claims', { params: { query: { limit: 50 } } })) });
  const [filing, setFiling] = useState(false);
  const policy = policies.data?.find((p) => p.insurerOrganizationId !== null);
  return (
    <Stack gap="sm">
      <Title order={3} size="h4">
        {t('partners.portal.insurance')}
      </Title>
      {(policies.isPending || claims.isPending) && <Loader size="sm" aria-label={t('common.loading')} />}
      {policies.isError && <ApiErrorAlert error={policies.error} />}
      {claims.isError && <ApiErrorAlert error={claims.error} />}
      {policies.data && !policy && <Text c="gray.7">{t('partners.portal.noPolicy')}</Text>}
      {policy && (
        <Card withBorder padding="md">
          <Stack gap="xs">
            <Text fw={700}>{t('partners.insurer.policyLine', { number: policy.policyNumber, start: policy.periodStart, end: policy.periodEnd ?? t('partners.insurer.openEnded') })}</Text>
            <Table withRowBorders verticalSpacing={4}>
              <Table.Tbody>
                {policy.coverage.map((c) => (
                  <Table.Tr key={c.code}>
                    <Table.Td>{c.nameJa}</Table.Td>
                    <Table.Td ta="right">{t('partners.portal.upTo', { amount: yen(c.limitYen) })}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {!filing && (
              <Button variant="light" onClick={() => setFiling(true)} style={{ alignSelf: 'flex-start' }}>
                {t('partners.portal.startClaim')}
              </Button>
            )}
            {filing && <ClaimForm limit={policy.coverage.reduce((sum, c) => sum + c.limitYen, 0)} onDone={() => setFiling(false)} />}
          </Stack>
        </Card>
      )}
      {claims.data?.map((claim) => (
        <PortalClaim key={claim.id} claim={claim} />
      ))}
    </Stack>
  );
}

function ClaimForm({ limit, onDone }: { limit: number; onDone: () => void }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const incidents = useQuery({
    queryKey: ['portal', 'claimable-incidents'],
    queryFn: () => expectOk(api.GET('/api/v1/incidents', { params: { query: { status: ['new', 'acknowledged', 'investigating', 'customer_notified', 'resolved'], sort: 'recent', limit: 50 } } })),
  });
  const [incidentId, setIncidentId] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const [amount, setAmount] = useState<number | string>('');
  const file = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/insurance/claims', { body: { incidentId: incidentId!, description: description.trim(), claimedAmountYen: Number(amount) } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: claimsKey });
      onDone();
    },
  });
  const ready = incidentId && description.trim() && amount !== '' && Number(amount) <= limit;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) file.mutate();
      }}
    >
      <Stack gap="sm">
        {incidents.isError && <ApiErrorAlert error={incidents.error} />}
        <Select
          label={t('partners.portal.claimIncident')}
          placeholder={t('partners.portal.claimIncidentPick')}
          data={(incidents.data?.items ?? []).map((i) => ({ value: i.id, label: t('partners.portal.incidentOption', { title: i.title, at: formatDateTime(i.firstSeenAt) }) }))}
          value={incidentId}
          onChange={setIncidentId}
          nothingFoundMessage={t('partners.portal.noIncidents')}
          required
        />
        <Textarea label={t('partners.portal.claimDescription')} description={t('partners.portal.claimDescriptionHint')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={3} maxLength={8000} required />
        <NumberInput
          label={t('partners.portal.claimAmount')}
          description={t('partners.portal.claimAmountHint', { amount: yen(limit) })}
          value={amount}
          onChange={setAmount}
          min={0}
          max={limit}
          allowDecimal={false}
          thousandSeparator=","
          required
        />
        {file.isError && <ApiErrorAlert error={file.error} />}
        <Group>
          <Button variant="default" onClick={onDone}>
            {t('partners.cancel')}
          </Button>
          <Button type="submit" disabled={!ready} loading={file.isPending}>
            {t('partners.portal.fileClaim')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function PortalClaim({ claim }: { claim: Claim }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const formatDateTime = useFormatDateTime();
  return (
    <Card withBorder padding="md" data-testid="portal-claim">
      <Stack gap="xs">
        <Group gap="xs" justify="space-between" wrap="nowrap">
          <ClaimStatusBadge status={claim.status} />
          <Text size="xs" c="gray.7">
            {t('partners.claim.filedOn', { at: formatDateTime(claim.createdAt) })}
          </Text>
        </Group>
        <Text fw={700}>{t('partners.portal.claimLine', { number: claim.number, amount: yen(claim.claimedAmountYen) })}</Text>
        {claim.status !== 'filed' && (
          <Alert color={claim.status === 'denied' ? 'red' : 'green'} variant="light">
            <Text fw={700}>{t('partners.claim.paid', { amount: yen(claim.paidAmountYen ?? 0) })}</Text>
            {claim.outcomeNote && <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{claim.outcomeNote}</Text>}
          </Alert>
        )}
        <ClaimThread claim={claim} queryKey={claimsKey} placeholder={t('partners.portal.answer')} />
      </Stack>
    </Card>
  );
}
