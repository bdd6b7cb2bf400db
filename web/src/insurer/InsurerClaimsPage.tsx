import { Alert, Button, Card, Group, Loader, NumberInput, SegmentedControl, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { PriorityBadge } from '../incidents/PriorityBadge.tsx';
import { useFormatYen } from '../operator/format.ts';
import { RouterLink } from '../router/RouterLink.tsx';
import { ClaimStatusBadge, ClaimThread, type Claim } from './claimUi.tsx';

const claimsKey = ['insurer', 'claims'] as const;
type Outcome = 'approved' | 'partially_approved' | 'denied';
const priorities = ['P1', 'P2', 'P3', 'P4'] as const;
/** The pack's files by name (manifest.json is the list itself). */
const packParts = ['summary', 'incident', 'timeline', 'alerts', 'notifications', 'tickets', 'dispatch'] as const;
type PackPart = (typeof packParts)[number];
const partOf = (name: string): PackPart | undefined => packParts.find((p) => name === `${p}.json` || name === `${p}.pdf`);

/** The insurer's claims (the server lists only those filed with this insurer); with an id, one claim. */
export function InsurerClaimsPage({ id }: { id?: string }) {
  return id ? <ClaimDetail id={id} /> : <ClaimList />;
}

function ClaimList() {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const formatDateTime = useFormatDateTime();
  const claims = useQuery({ queryKey: claimsKey, queryFn: () => expectOk(api.GET('/api/v1/insurance/claims', { params: { query: { limit: 200 } } })) });
  return (
    <Stack gap="md" maw={1100}>
      <Title order={2}>{t('admin.insurerClaims')}</Title>
      <Text c="gray.7">{t('partners.insurer.intro')}</Text>
      {claims.isPending && <Loader aria-label={t('common.loading')} />}
      {claims.isError && <ApiErrorAlert error={claims.error} />}
      {claims.data && claims.data.length === 0 && <Alert color="gray">{t('partners.insurer.empty')}</Alert>}
      {claims.data && claims.data.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('partners.claim.number')}</Table.Th>
                <Table.Th>{t('partners.claim.policyNumber')}</Table.Th>
                <Table.Th>{t('partners.claim.filedAt')}</Table.Th>
                <Table.Th ta="right">{t('partners.claim.claimed')}</Table.Th>
                <Table.Th>{t('partners.claim.statusLabel')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {claims.data.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <RouterLink to={`/insurer/claims/${c.id}`}>{c.number}</RouterLink>
                  </Table.Td>
                  <Table.Td>{c.policyNumber}</Table.Td>
                  <Table.Td>{formatDateTime(c.createdAt)}</Table.Td>
                  <Table.Td ta="right">{yen(c.claimedAmountYen)}</Table.Td>
                  <Table.Td>
                    <ClaimStatusBadge status={c.status} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function ClaimDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const formatDateTime = useFormatDateTime();
  const key = [...claimsKey, id];
  const claim = useQuery({ queryKey: key, queryFn: () => expectOk(api.GET('/api/v1/insurance/claims/{id}', { params: { path: { id } } })) });
  const summary = useQuery({ queryKey: [...key, 'summary'], queryFn: () => expectOk(api.GET('/api/v1/insurance/claims/{id}/summary', { params: { path: { id } } })) });
  const s = summary.data;
  return (
    <Stack gap="md" maw={1100}>
      <RouterLink to="/insurer/claims" size="sm">
        {t('partners.insurer.back')}
      </RouterLink>
      <Title order={2}>{claim.data ? t('partners.insurer.detailTitle', { number: claim.data.number }) : t('admin.insurerClaims')}</Title>
      {(claim.isPending || summary.isPending) && <Loader aria-label={t('common.loading')} />}
      {claim.isError && <ApiErrorAlert error={claim.error} />}
      {summary.isError && <ApiErrorAlert error={summary.error} />}
      {claim.data && s && (
        <>
          <Group gap="sm">
            <ClaimStatusBadge status={claim.data.status} />
            <Text fw={700}>{s.companyName}</Text>
            <Text size="sm" c="gray.7">
              {t('partners.claim.filedOn', { at: formatDateTime(claim.data.createdAt) })}
            </Text>
          </Group>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Card withBorder padding="md">
              <Stack gap="xs">
                <Title order={3} size="h4">
                  {t('partners.insurer.policy')}
                </Title>
                <Text>{t('partners.insurer.policyLine', { number: s.policy.policyNumber, start: s.policy.periodStart, end: s.policy.periodEnd ?? t('partners.insurer.openEnded') })}</Text>
                <Table withRowBorders verticalSpacing={4}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('partners.insurer.coverage')}</Table.Th>
                      <Table.Th ta="right">{t('partners.insurer.limit')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {s.policy.coverage.map((c) => (
                      <Table.Tr key={c.code}>
                        <Table.Td>{c.nameJa}</Table.Td>
                        <Table.Td ta="right">{yen(c.limitYen)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Stack>
            </Card>
            <Card withBorder padding="md">
              <Stack gap="xs">
                <Title order={3} size="h4">
                  {t('partners.insurer.incident')}
                </Title>
                <Group gap="xs" wrap="nowrap" align="flex-start">
                  {(priorities as readonly string[]).includes(s.incident.priority) && <PriorityBadge priority={s.incident.priority as (typeof priorities)[number]} />}
                  <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
                    {s.incident.title}
                  </Text>
                </Group>
                <Text size="sm">{t('partners.insurer.incidentPeriod', { from: formatDateTime(s.incident.firstSeenAt), to: formatDateTime(s.incident.lastSeenAt), count: s.incident.alertCount })}</Text>
                <Text size="sm" c="gray.7">
                  {t('partners.insurer.incidentAsFiled')}
                </Text>
              </Stack>
            </Card>
          </SimpleGrid>
          <Card withBorder padding="md">
            <Stack gap="xs">
              <Title order={3} size="h4">
                {t('partners.insurer.claimTitle')}
              </Title>
              <Text fw={700}>{t('partners.insurer.claimedAmount', { amount: yen(claim.data.claimedAmountYen) })}</Text>
              <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{claim.data.description}</Text>
            </Stack>
          </Card>
          <Card withBorder padding="md">
            <Stack gap="xs">
              <Group justify="space-between" wrap="wrap">
                <Title order={3} size="h4">
                  {t('partners.insurer.pack')}
                </Title>
                <Button component="a" href={`/api/v1/insurance/claims/${id}/evidence-pack`} download variant="light">
                  {t('partners.insurer.downloadPack', { kb: Math.max(1, Math.round(s.packBytes / 1024)) })}
                </Button>
              </Group>
              <Table.ScrollContainer minWidth={560}>
                <Table verticalSpacing={4} data-testid="pack-files">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('partners.insurer.packFile')}</Table.Th>
                      <Table.Th>{t('partners.insurer.packWhat')}</Table.Th>
                      <Table.Th ta="right">{t('partners.insurer.packSize')}</Table.Th>
                      <Table.Th>{t('partners.insurer.packHash')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {s.packFiles.map((f) => (
                      <Table.Tr key={f.name}>
                        <Table.Td ff="monospace">{f.name}</Table.Td>
                        <Table.Td>{partOf(f.name) ? t(`partners.insurer.packContent.${partOf(f.name)!}`) : '—'}</Table.Td>
                        <Table.Td ta="right">{t('partners.files.bytes', { bytes: new Intl.NumberFormat('ja-JP').format(f.bytes) })}</Table.Td>
                        <Table.Td ff="monospace" fz="xs">
                          {f.sha256.slice(0, 16)}…
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Text size="xs" c="gray.7" style={{ overflowWrap: 'anywhere' }}>
                {t('partners.insurer.packSha', { sha: claim.data.evidenceSha256 })}
              </Text>
            </Stack>
          </Card>
          <Card withBorder padding="md">
            <Stack gap="sm">
              <Title order={3} size="h4">
                {t('partners.insurer.questions')}
              </Title>
              <ClaimThread claim={claim.data} queryKey={key} placeholder={t('partners.insurer.ask')} />
            </Stack>
          </Card>
          <OutcomeCard claim={claim.data} />
        </>
      )}
    </Stack>
  );
}

function OutcomeCard({ claim }: { claim: Claim }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<Outcome>('approved');
  const [paid, setPaid] = useState<number | string>(claim.claimedAmountYen);
  const [note, setNote] = useState('');
  const amount = outcome === 'approved' ? claim.claimedAmountYen : outcome === 'denied' ? 0 : Number(paid);
  const decide = useMutation({
    mutationFn: () =>
      expectOk(api.POST('/api/v1/insurance/claims/{id}/outcome', { params: { path: { id: claim.id } }, body: { outcome, paidAmountYen: amount, ...(note.trim() ? { note: note.trim() } : {}) } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: claimsKey }),
  });
  if (claim.status !== 'filed') {
    return (
      <Card withBorder padding="md" bg="gray.0" data-testid="claim-outcome">
        <Stack gap="xs">
          <Title order={3} size="h4">
            {t('partners.insurer.outcome')}
          </Title>
          <Group gap="sm">
            <ClaimStatusBadge status={claim.status} />
            <Text fw={700}>{t('partners.claim.paid', { amount: yen(claim.paidAmountYen ?? 0) })}</Text>
            {claim.decidedAt && <Text size="sm">{formatDateTime(claim.decidedAt)}</Text>}
          </Group>
          {claim.outcomeNote && <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{claim.outcomeNote}</Text>}
        </Stack>
      </Card>
    );
  }
  const partialInvalid = outcome === 'partially_approved' && (paid === '' || Number(paid) < 0 || Number(paid) >= claim.claimedAmountYen);
  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Title order={3} size="h4">
          {t('partners.insurer.outcome')}
        </Title>
        <SegmentedControl
          value={outcome}
          onChange={(v) => setOutcome(v as Outcome)}
          data={(['approved', 'partially_approved', 'denied'] as const).map((o) => ({ value: o, label: t(`partners.insurer.choice.${o}`) }))}
          fullWidth
          aria-label={t('partners.insurer.outcome')}
        />
        {outcome === 'partially_approved' ? (
          <NumberInput
            label={t('partners.insurer.paidAmount')}
            description={t('partners.insurer.partialHint', { amount: yen(claim.claimedAmountYen) })}
            value={paid}
            onChange={setPaid}
            min={0}
            max={claim.claimedAmountYen}
            allowDecimal={false}
            thousandSeparator=","
            error={partialInvalid ? t('partners.insurer.partialInvalid') : undefined}
          />
        ) : (
          <Text fw={700}>{t('partners.claim.paid', { amount: yen(amount) })}</Text>
        )}
        <Textarea label={t('partners.insurer.note')} value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} maxLength={4000} />
        <Button onClick={() => decide.mutate()} disabled={partialInvalid} loading={decide.isPending} color={outcome === 'denied' ? 'red' : 'blue'} style={{ alignSelf: 'flex-start' }}>
          {t('partners.insurer.decide')}
        </Button>
        {decide.isError && <ApiErrorAlert error={decide.error} />}
      </Stack>
    </Card>
  );
}
