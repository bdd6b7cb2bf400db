import { Alert, Badge, Button, Card, Code, Group, Image, Loader, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { PriorityBadge, StatusBadge } from '../incidents/PriorityBadge.tsx';
import { RouterLink } from '../router/RouterLink.tsx';
import { HealthSparkline } from './HealthSparkline.tsx';
import { ContractBadge } from './SubscribersPage.tsx';

type Detail = components['schemas']['SubscriberDetail'];
type Sensor = components['schemas']['DirectorySensor'];
type EnrollmentCode = components['schemas']['EnrollmentCode'];
type IncidentStatus = Parameters<typeof StatusBadge>[0]['status'];

const stateColor = { online: 'green', silent: 'red', pending: 'blue', revoked: 'gray' } as const;

function stateOf(sensor: Sensor): keyof typeof stateColor {
  if (sensor.status === 'revoked' || sensor.status === 'pending') return sensor.status;
  return sensor.online ? 'online' : 'silent';
}

/** One subscriber for the operator: contract, sites and sensors with their last 24 hours, contacts, incidents, sensor enrollment. */
export function SubscriberDetailPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const detail = useQuery({
    queryKey: ['subscriber-directory', 'detail', id],
    queryFn: () => expectOk(api.GET('/api/v1/subscriber-directory/{id}', { params: { path: { id } } })),
  });
  return (
    <Stack gap="md" maw={1280}>
      <RouterLink to="/subscribers" size="sm">
        {t('operatorConsole.detail.back')}
      </RouterLink>
      {detail.isPending && <Loader aria-label={t('common.loading')} />}
      {detail.isError && <ApiErrorAlert error={detail.error} />}
      {detail.data && <DetailBody detail={detail.data} />}
    </Stack>
  );
}

function DetailBody({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const s = detail.subscriber;
  const contract = s.contract;
  return (
    <>
      <Group gap="sm" align="center">
        <Title order={2}>{s.name}</Title>
        <ContractBadge contract={contract} />
      </Group>
      <Group gap="lg">
        <Text c="gray.8">{t(`operatorConsole.subscribers.membershipValue.${s.membership ?? 'unknown'}`)}</Text>
        {contract && (
          <Text c="gray.8">
            {t('operatorConsole.detail.contractSince', { date: contract.startDate })}
            {contract.endDate ? ` ${t('operatorConsole.detail.contractUntil', { date: contract.endDate })}` : ''}
          </Text>
        )}
        {contract && s.membership === 'member' && <Text c="gray.8">{contract.membershipVerified ? t('operatorConsole.detail.verified') : t('operatorConsole.detail.unverified')}</Text>}
        <Text c="gray.8">{[s.prefecture, s.city].filter(Boolean).join(' ')}</Text>
        <Text c="gray.7" size="sm">
          {t('operatorConsole.detail.registeredAt', { date: formatDateTime(detail.createdAt) })}
        </Text>
      </Group>
      <SensorsCard detail={detail} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <ContactsCard detail={detail} />
        <IncidentsCard detail={detail} />
      </SimpleGrid>
      <EnrollmentCard detail={detail} />
    </>
  );
}

function SensorsCard({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const siteName = new Map(detail.sites.map((site) => [site.id, site.name]));
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {t('operatorConsole.detail.sites')}・{t('operatorConsole.detail.sensors')}
      </Title>
      {detail.sites.length === 0 && <Text>{t('operatorConsole.detail.noSites')}</Text>}
      {detail.sites.length > 0 && (
        <Stack gap={4} mb="sm">
          {detail.sites.map((site) => (
            <Text key={site.id} size="sm">
              <b>{site.name}</b> {[site.postalCode && `〒${site.postalCode}`, site.address].filter(Boolean).join(' ')}
            </Text>
          ))}
        </Stack>
      )}
      {detail.sensors.length === 0 && <Text>{t('operatorConsole.detail.noSensors')}</Text>}
      {detail.sensors.length > 0 && (
        <>
          <Table.ScrollContainer minWidth={860}>
            <Table aria-label={t('operatorConsole.detail.sensors')} verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('operatorConsole.feeds.sensor')}</Table.Th>
                  <Table.Th>{t('operatorConsole.detail.site')}</Table.Th>
                  <Table.Th>{t('operatorConsole.feeds.stateColumn')}</Table.Th>
                  <Table.Th>{t('operatorConsole.detail.health')}</Table.Th>
                  <Table.Th>{t('operatorConsole.feeds.lastHeartbeat')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {detail.sensors.map((sensor) => {
                  const state = stateOf(sensor);
                  return (
                    <Table.Tr key={sensor.id}>
                      <Table.Td>
                        <Text fw={600}>{sensor.name}</Text>
                        <Text size="xs" c="gray.7">
                          {sensor.bundleVersion ? t('operatorConsole.detail.bundle', { version: sensor.bundleVersion.slice(0, 12) }) : t('operatorConsole.detail.noBundle')}
                          {sensor.agentVersion ? ` ・ ${sensor.agentVersion}` : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>{siteName.get(sensor.siteId) ?? '-'}</Table.Td>
                      <Table.Td>
                        <Badge color={stateColor[state]} variant="light" radius="sm" style={{ width: 'max-content', maxWidth: 'none' }}>
                          {t(`operatorConsole.detail.sensorState.${state}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{sensor.status === 'active' ? <HealthSparkline name={sensor.name} hours={sensor.health} /> : '-'}</Table.Td>
                      <Table.Td>{sensor.lastHeartbeatAt ? formatDateTime(sensor.lastHeartbeatAt) : t('operatorConsole.detail.neverHeard')}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text size="xs" c="gray.7" mt={4}>
            {t('operatorConsole.detail.healthLegend')}
          </Text>
        </>
      )}
    </Card>
  );
}

function ContactsCard({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {t('operatorConsole.detail.contacts')}
      </Title>
      {detail.contacts.length === 0 && <Text>{t('operatorConsole.detail.noContacts')}</Text>}
      <Stack gap="xs">
        {detail.contacts.map((c) => (
          <Group key={c.id} gap="sm" wrap="nowrap" align="flex-start">
            <Badge variant="outline" radius="sm" style={{ flexShrink: 0 }}>
              {t(`operatorConsole.detail.contactRole.${c.role}`)}
            </Badge>
            <div>
              <Text fw={600}>{c.name}</Text>
              <Text size="sm" c="gray.8" style={{ overflowWrap: 'anywhere' }}>
                {[c.email, c.phone].filter(Boolean).join(' ・ ')}
              </Text>
            </div>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

function IncidentsCard({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {t('operatorConsole.detail.incidents')}
      </Title>
      {detail.recentIncidents.length === 0 && <Text>{t('operatorConsole.detail.noIncidents')}</Text>}
      <Stack gap="xs">
        {detail.recentIncidents.map((incident) => (
          <Group key={incident.id} gap="xs" wrap="nowrap" align="flex-start">
            <PriorityBadge priority={incident.priority} />
            <StatusBadge status={incident.status as IncidentStatus} />
            <div style={{ minWidth: 0 }}>
              <RouterLink to={`/incidents/${incident.id}`} style={{ overflowWrap: 'anywhere' }}>
                {incident.signature ?? incident.explain}
              </RouterLink>
              <Text size="xs" c="gray.7">
                {formatDateTime(incident.lastSeenAt)} ・ {t('operatorConsole.detail.alerts', { count: incident.alertCount })}
              </Text>
            </div>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

function EnrollmentCard({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const [siteId, setSiteId] = useState<string | null>(detail.sites[0]?.id ?? null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<EnrollmentCode | null>(null);
  const [revokedMessage, setRevokedMessage] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['subscriber-directory'] });
  const create = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/sites/{id}/enrollment-codes', { params: { path: { id: siteId! } }, body: name.trim() ? { name: name.trim() } : {} })),
    onSuccess: async (code) => {
      setCreated(code);
      setRevokedMessage(false);
      setName('');
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (codeId: string) => expectOk(api.POST('/api/v1/enrollment-codes/{id}/revoke', { params: { path: { id: codeId } } })),
    onSuccess: async (_data, codeId) => {
      if (created && detail.openEnrollmentCodes.some((c) => c.id === codeId && c.sensorId === created.sensorId)) setCreated(null);
      setRevokedMessage(true);
      await refresh();
    },
  });
  const siteName = new Map(detail.sites.map((site) => [site.id, site.name]));
  return (
    <Card withBorder padding="md">
      <Title order={3} size="h4" mb="xs">
        {t('operatorConsole.detail.enrollment')}
      </Title>
      <Text size="sm" c="gray.8" mb="sm">
        {t('operatorConsole.detail.enrollmentIntro')}
      </Text>
      {detail.sites.length === 0 ? (
        <Text>{t('operatorConsole.detail.noSitesForCode')}</Text>
      ) : (
        <Group align="flex-end" gap="sm">
          <Select label={t('operatorConsole.detail.site')} data={detail.sites.map((site) => ({ value: site.id, label: site.name }))} value={siteId} onChange={setSiteId} allowDeselect={false} w={240} />
          <TextInput label={t('operatorConsole.detail.sensorName')} value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={100} w={280} />
          <Button onClick={() => create.mutate()} loading={create.isPending} disabled={!siteId}>
            {t('operatorConsole.detail.create')}
          </Button>
        </Group>
      )}
      {create.isError && <ApiErrorAlert error={create.error} />}
      {created && (
        <Alert color="green" mt="md" title={t('operatorConsole.detail.created')}>
          <Group align="flex-start" gap="lg" wrap="wrap">
            <Image src={created.qrPngDataUrl} alt={t('operatorConsole.detail.qr')} w={180} h={180} fit="contain" style={{ background: 'white' }} />
            <Stack gap={6} style={{ minWidth: 0, flex: 1 }}>
              <Text size="sm" fw={600}>
                {t('operatorConsole.detail.code')}
              </Text>
              <Code data-testid="enrollment-code" style={{ overflowWrap: 'anywhere', fontSize: 16 }}>
                {created.code}
              </Code>
              <Text size="sm" fw={600}>
                {t('operatorConsole.detail.url')}
              </Text>
              <Code style={{ overflowWrap: 'anywhere' }}>{created.url}</Code>
              <Text size="sm" fw={600}>
                {t('operatorConsole.detail.command')}
              </Text>
              <Code style={{ overflowWrap: 'anywhere' }}>{`otasuke sensor enroll --server ${new URL(created.url).origin} --code ${created.code}`}</Code>
              <Text size="sm">{t('operatorConsole.detail.expires', { at: formatDateTime(created.expiresAt) })}</Text>
            </Stack>
          </Group>
        </Alert>
      )}
      {revokedMessage && (
        <Alert color="blue" mt="md">
          {t('operatorConsole.detail.revoked')}
        </Alert>
      )}
      {revoke.isError && <ApiErrorAlert error={revoke.error} />}
      <Title order={4} size="h5" mt="md" mb={4}>
        {t('operatorConsole.detail.openCodes')}
      </Title>
      {detail.openEnrollmentCodes.length === 0 && <Text size="sm">{t('operatorConsole.detail.noOpenCodes')}</Text>}
      <Stack gap={4}>
        {detail.openEnrollmentCodes.map((code) => (
          <Group key={code.id} gap="sm">
            <Text size="sm">{t('operatorConsole.detail.codeFor', { sensor: code.sensorName, site: siteName.get(code.siteId) ?? '-' })}</Text>
            <Text size="sm" c="gray.7">
              {t('operatorConsole.detail.expires', { at: formatDateTime(code.expiresAt) })}
            </Text>
            <Button
              size="compact-sm"
              variant="light"
              color="red"
              loading={revoke.isPending && revoke.variables === code.id}
              onClick={() => {
                if (window.confirm(t('operatorConsole.detail.revokeConfirm'))) revoke.mutate(code.id);
              }}
            >
              {t('operatorConsole.detail.revoke')}
            </Button>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
