import { Alert, Button, Card, Checkbox, Code, Group, Loader, Modal, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Select, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { RouterLink } from '../router/RouterLink.tsx';
import { CountBadge } from './IncidentQueuePage.tsx';
import { nextStatuses, resolutions, type DetailCall, type IncidentDetail, type IncidentResolution, type TransitionTarget } from './incidentModel.ts';
import { PriorityBadge, StatusBadge } from './PriorityBadge.tsx';

type Analysis = NonNullable<IncidentDetail['analysis']>;
type Evidence = components['schemas']['IncidentEvidence'];

const knownTimelineKinds = ['opened', 'priority_raised', 'status_changed', 'reopened', 'assigned', 'note_added', 'task_added', 'task_done', 'task_reopened', 'customer_text_edited', 'merged_in', 'merged_into', 'split_out', 'alert_detached', 'customer_acknowledged'] as const;
type TimelineKind = (typeof knownTimelineKinds)[number];

/** One incident for the analyst: what, how bad, the evidence, and the actions that move it on. */
export function IncidentDetailPage({ id, canAct, userId }: { id: string; canAct: boolean; userId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const key = ['incidents', 'detail', id];
  const detail = useQuery({ queryKey: key, queryFn: () => expectOk(api.GET('/api/v1/incidents/{id}', { params: { path: { id } } })) });
  const [resolving, setResolving] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const act = useMutation({
    mutationFn: (call: DetailCall) => call(),
    onSuccess: (data) => {
      queryClient.setQueryData(key, data);
      void queryClient.invalidateQueries({ queryKey: ['incidents', 'queue'] });
    },
  });
  function run(call: DetailCall, message: string) {
    setDone(null);
    act.mutate(call, { onSuccess: () => setDone(message) });
  }
  const transition = (to: TransitionTarget, resolution?: IncidentResolution, note?: string) =>
    run(() => expectOk(api.POST('/api/v1/incidents/{id}/transition', { params: { path: { id } }, body: { to, ...(resolution ? { resolution } : {}), ...(note ? { note } : {}) } })), t('incidents.transitioned', { status: t(`incidents.status.${to}`) }));

  if (detail.isPending) return <Loader aria-label={t('common.loading')} />;
  if (detail.isError) return <ApiErrorAlert error={detail.error} />;
  const { incident, ownerText, analysis } = detail.data;
  const next = canAct ? nextStatuses[incident.status] : [];

  return (
    <Stack gap="md" maw={1200}>
      <RouterLink to="/incidents" size="sm">
        {t('incidents.backToQueue')}
      </RouterLink>
      <Group gap="sm" align="center">
        <PriorityBadge priority={incident.priority} />
        <StatusBadge status={incident.status} />
        <CountBadge count={incident.alertCount} />
      </Group>
      <Title order={2}>{incident.title}</Title>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm">
        <Fact label={t('incidents.subscriber')}>{incident.organizationName}</Fact>
        <Fact label={t('incidents.kindColumn')}>{t(`incidents.kind.${incident.kind}`)}</Fact>
        <Fact label={t('incidents.directionColumn')}>{t(`incidents.direction.${incident.direction}`)}</Fact>
        <Fact label={t('incidents.engineColumn')}>{t(`incidents.engine.${incident.engine}`)}</Fact>
        <Fact label={t('incidents.insideHost')}>{incident.insideHost ?? t('incidents.none')}</Fact>
        <Fact label={t('incidents.peer')}>{incident.peer ?? t('incidents.none')}</Fact>
        <Fact label={t('incidents.firstSeen')}><DateTime iso={incident.firstSeenAt} /></Fact>
        <Fact label={t('incidents.lastSeen')}><DateTime iso={incident.lastSeenAt} /></Fact>
        <Fact label={t('incidents.acknowledgeDue')}><DateTime iso={incident.acknowledgeDueAt} /></Fact>
        <Fact label={t('incidents.notifyDue')}><DateTime iso={incident.notifyDueAt} /></Fact>
        <Fact label={t('incidents.assignee')}>{incident.assigneeUserId ? (incident.assigneeUserId === userId ? t('incidents.assignedMe') : t('incidents.assignedOther')) : t('incidents.unassigned')}</Fact>
        {incident.resolution && <Fact label={t('incidents.resolution')}>{t(`incidents.resolutionLabel.${incident.resolution}`)}</Fact>}
      </SimpleGrid>

      {canAct && (
        <Card withBorder padding="sm">
          <Group gap="sm">
            {next.includes('acknowledged') && <Button onClick={() => transition('acknowledged')} loading={act.isPending}>{t('incidents.actionAcknowledge')}</Button>}
            {next.includes('investigating') && <Button variant="default" onClick={() => transition('investigating')} loading={act.isPending}>{incident.status === 'resolved' ? t('incidents.actionReopen') : t('incidents.actionInvestigate')}</Button>}
            {next.includes('customer_notified') && <Button color="grape" onClick={() => transition('customer_notified')} loading={act.isPending}>{t('incidents.actionNotify')}</Button>}
            {next.includes('resolved') && <Button color="green" onClick={() => setResolving(true)}>{t('incidents.actionResolve')}</Button>}
            {incident.assigneeUserId !== userId && (
              <Button variant="light" onClick={() => run(() => expectOk(api.POST('/api/v1/incidents/{id}/assign', { params: { path: { id } }, body: { assigneeUserId: userId } })), t('incidents.assignedToMe'))} loading={act.isPending}>
                {t('incidents.actionAssignMe')}
              </Button>
            )}
          </Group>
        </Card>
      )}
      {done && <Alert color="green" role="status" withCloseButton closeButtonLabel={t('admin.close')} onClose={() => setDone(null)}>{done}</Alert>}
      {act.isError && <ApiErrorAlert error={act.error} />}

      <OwnerTextCard ownerText={ownerText} analysis={analysis} canEdit={canAct} onSave={(body) => run(() => expectOk(api.PUT('/api/v1/incidents/{id}/customer-text', { params: { path: { id } }, body })), t('incidents.ownerTextSaved'))} saving={act.isPending} />

      {analysis && (
        <>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Timeline analysis={analysis} />
            <Related analysis={analysis} />
          </SimpleGrid>
          <AlertGroups analysis={analysis} />
          <EvidenceList evidence={analysis.evidence} canSuppress={canAct} />
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Notes analysis={analysis} canAct={canAct} onAdd={(body) => run(() => expectOk(api.POST('/api/v1/incidents/{id}/notes', { params: { path: { id } }, body: { body } })), t('incidents.noteAdded'))} />
            <Tasks analysis={analysis} canAct={canAct} onAdd={(title) => run(() => expectOk(api.POST('/api/v1/incidents/{id}/tasks', { params: { path: { id } }, body: { title } })), t('incidents.taskAdded'))} onTick={(taskId, isDone) => run(() => expectOk(api.POST('/api/v1/incidents/{id}/tasks', { params: { path: { id } }, body: { taskId, done: isDone } })), t('incidents.taskUpdated'))} />
          </SimpleGrid>
        </>
      )}
      <ResolveModal opened={resolving} onClose={() => setResolving(false)} onResolve={(resolution, note) => {
        setResolving(false);
        transition('resolved', resolution, note || undefined);
      }} />
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="gray.7">{label}</Text>
      <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{children}</Text>
    </Stack>
  );
}

function DateTime({ iso }: { iso: string }) {
  const formatDateTime = useFormatDateTime();
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

function OwnerTextCard({ ownerText, analysis, canEdit, onSave, saving }: { ownerText: IncidentDetail['ownerText']; analysis: Analysis | null; canEdit: boolean; onSave: (body: { customerTextJa: string | null; customerTextEn: string | null }) => void; saving: boolean }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [ja, setJa] = useState('');
  const [en, setEn] = useState('');
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">{t('incidents.ownerText')}</Title>
        {canEdit && analysis && !editing && (
          <Button size="xs" variant="default" onClick={() => {
            setJa(analysis.customerTextJa ?? ownerText.body);
            setEn(analysis.customerTextEn ?? '');
            setEditing(true);
          }}>
            {t('incidents.editOwnerText')}
          </Button>
        )}
      </Group>
      <Text size="sm" c="gray.7" mb="xs">{analysis?.customerTextJa || analysis?.customerTextEn ? t('incidents.ownerTextCustom') : t('incidents.ownerTextStandard')}</Text>
      {!editing && (
        <Card bg="gray.0" padding="sm" data-testid="owner-text">
          <Text fw={700}>{ownerText.subject}</Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{ownerText.body}</Text>
          {analysis?.customerTextEn && (
            <>
              <Text size="xs" c="gray.7" mt="sm">{t('incidents.ownerTextEn')}</Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{analysis.customerTextEn}</Text>
            </>
          )}
        </Card>
      )}
      {editing && (
        <Stack gap="sm">
          <Textarea label={t('incidents.ownerTextJa')} value={ja} onChange={(e) => setJa(e.currentTarget.value)} autosize minRows={4} maxLength={8000} />
          <Textarea label={t('incidents.ownerTextEn')} description={t('incidents.ownerTextEnHint')} value={en} onChange={(e) => setEn(e.currentTarget.value)} autosize minRows={3} maxLength={8000} />
          <Group gap="sm">
            <Button loading={saving} onClick={() => {
              onSave({ customerTextJa: ja.trim() ? ja : null, customerTextEn: en.trim() ? en : null });
              setEditing(false);
            }}>
              {t('incidents.save')}
            </Button>
            <Button variant="default" onClick={() => {
              onSave({ customerTextJa: null, customerTextEn: null });
              setEditing(false);
            }}>
              {t('incidents.restoreStandard')}
            </Button>
            <Button variant="subtle" onClick={() => setEditing(false)}>{t('incidents.cancel')}</Button>
          </Group>
        </Stack>
      )}
    </Card>
  );
}

function AlertGroups({ analysis }: { analysis: Analysis }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  return (
    <Card withBorder padding={0}>
      <Title order={3} size="h4" p="md" pb="xs">{t('incidents.alertGroups')}</Title>
      <Table.ScrollContainer minWidth={640}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('incidents.signature')}</Table.Th>
              <Table.Th ta="right">{t('incidents.detections')}</Table.Th>
              <Table.Th>{t('incidents.firstSeen')}</Table.Th>
              <Table.Th>{t('incidents.lastSeen')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {analysis.alertGroups.map((g) => (
              <Table.Tr key={`${g.gid}:${g.signatureId}`}>
                <Table.Td>
                  <Text size="sm">{g.signature}</Text>
                  <Text size="xs" c="gray.7" ff="monospace">{t('incidents.sid', { gid: g.gid, sid: g.signatureId })}</Text>
                </Table.Td>
                <Table.Td ta="right"><CountBadge count={g.count} /></Table.Td>
                <Table.Td>{formatDateTime(g.firstSeenAt)}</Table.Td>
                <Table.Td>{formatDateTime(g.lastSeenAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

/** Each alert's metadata, as the sensor sent it, with the SHA-256 that pins it for later proof. */
function EvidenceList({ evidence, canSuppress }: { evidence: Evidence[]; canSuppress: boolean }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const [shown, setShown] = useState(5);
  const [suppressing, setSuppressing] = useState<Evidence | null>(null);
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">{t('incidents.evidence', { count: evidence.length })}</Title>
      <Stack gap="sm">
        {evidence.slice(0, shown).map((e) => (
          <Card key={e.alertId} withBorder padding="sm" data-testid="evidence">
            <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
              <Stack gap={2} miw={0}>
                <Text size="sm" fw={600}>{e.signature}</Text>
                <Text size="xs" c="gray.7">
                  {formatDateTime(e.observedAt)} · {t(`incidents.direction.${e.direction}`)} · {t(`incidents.engine.${e.engine}`)} · {t('incidents.severity', { severity: e.severity })}
                </Text>
                <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {t('incidents.flowLine', { proto: e.proto, src: endpoint(e.srcIp, e.srcPort), dest: endpoint(e.destIp, e.destPort), app: e.appProto ?? '-' })}
                </Text>
              </Stack>
              {canSuppress && (
                <Button size="xs" variant="default" onClick={() => setSuppressing(e)}>
                  {t('incidents.suppressLike')}
                </Button>
              )}
            </Group>
            <FlowMetadata evidence={e} />
            <Text size="xs" c="gray.7" mt={4} style={{ overflowWrap: 'anywhere' }}>
              {t('incidents.sha256')} <Code>{e.sha256}</Code>
            </Text>
          </Card>
        ))}
        {evidence.length > shown && (
          <Button variant="subtle" onClick={() => setShown((n) => n + 20)} style={{ alignSelf: 'flex-start' }}>
            {t('incidents.showMoreEvidence', { count: evidence.length - shown })}
          </Button>
        )}
      </Stack>
      <SuppressModal evidence={suppressing} onClose={() => setSuppressing(null)} />
    </Card>
  );
}

function endpoint(ip: string, port: number | null): string {
  if (port === null) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function FlowMetadata({ evidence }: { evidence: Evidence }) {
  const { t } = useTranslation();
  const flow = evidence.flow;
  if (!flow) return null;
  const rows: Array<[string, string]> = [];
  if (flow.dns) rows.push([t('incidents.meta.dns'), [flow.dns.rrname, flow.dns.rrtype].filter(Boolean).join(' ')]);
  if (flow.tls) {
    const tls = flow.tls;
    if (tls.sni) rows.push([t('incidents.meta.sni'), tls.sni]);
    if (tls.version) rows.push([t('incidents.meta.tlsVersion'), tls.version]);
    if (tls.subject) rows.push([t('incidents.meta.subject'), tls.subject]);
    if (tls.issuer) rows.push([t('incidents.meta.issuer'), tls.issuer]);
    if (tls.ja3) rows.push([t('incidents.meta.ja3'), tls.ja3]);
    if (tls.ja4) rows.push([t('incidents.meta.ja4'), tls.ja4]);
  }
  if (flow.http) {
    const http = flow.http;
    if (http.hostname || http.url) rows.push([t('incidents.meta.url'), `${http.method ?? ''} ${http.hostname ?? ''}${http.url ?? ''}`.trim()]);
    if (http.userAgent) rows.push([t('incidents.meta.userAgent'), http.userAgent]);
    if (http.status !== undefined) rows.push([t('incidents.meta.httpStatus'), String(http.status)]);
  }
  if (flow.file) {
    const file = flow.file;
    rows.push([t('incidents.meta.filename'), file.size !== undefined ? t('incidents.meta.fileSize', { name: file.filename, size: file.size }) : file.filename]);
    if (file.sha256) rows.push([t('incidents.meta.fileSha256'), file.sha256]);
    if (file.sha1) rows.push([t('incidents.meta.fileSha1'), file.sha1]);
    if (file.md5) rows.push([t('incidents.meta.fileMd5'), file.md5]);
  }
  if (rows.length === 0) return null;
  return (
    <Table mt={4} fz="xs" withRowBorders={false} verticalSpacing={2}>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w={140} fw={500} c="gray.7">{label}</Table.Th>
            <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** "Suppress like this": the server fills subscriber, signature, inside host and peer from the alert. */
function SuppressModal({ evidence, onClose }: { evidence: Evidence | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [days, setDays] = useState<string>('30');
  const create = useMutation({
    mutationFn: (alert: Evidence) =>
      expectOk(
        api.POST('/api/v1/suppressions', {
          body: { fromAlertId: alert.alertId, reason: reason.trim(), expiresAt: days === 'never' ? null : new Date(Date.now() + Number(days) * 86_400_000).toISOString() },
        }),
      ),
  });
  const close = () => {
    create.reset();
    setReason('');
    onClose();
  };
  return (
    <Modal opened={evidence !== null} onClose={close} title={t('incidents.suppressTitle')} closeButtonProps={{ 'aria-label': t('admin.close') }}>
      {evidence && (
        <Stack gap="sm">
          <Text size="sm">{t('incidents.suppressScope', { signature: evidence.signature })}</Text>
          {create.isSuccess ? (
            <>
              <Alert color="green" role="status">{t('incidents.suppressed')}</Alert>
              <Button onClick={close}>{t('admin.close')}</Button>
            </>
          ) : (
            <>
              <Textarea label={t('incidents.suppressReason')} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={1000} autosize minRows={2} />
              <Select
                label={t('incidents.suppressExpiry')}
                data={[
                  { value: '7', label: t('incidents.days', { count: 7 }) },
                  { value: '30', label: t('incidents.days', { count: 30 }) },
                  { value: '90', label: t('incidents.days', { count: 90 }) },
                  { value: 'never', label: t('incidents.noExpiry') },
                ]}
                value={days}
                onChange={(v) => setDays(v ?? '30')}
                allowDeselect={false}
              />
              {create.isError && <ApiErrorAlert error={create.error} />}
              <Group justify="flex-end">
                <Button variant="default" onClick={close}>{t('incidents.cancel')}</Button>
                <Button disabled={!reason.trim()} loading={create.isPending} onClick={() => create.mutate(evidence)}>{t('incidents.suppressCreate')}</Button>
              </Group>
            </>
          )}
        </Stack>
      )}
    </Modal>
  );
}

function Timeline({ analysis }: { analysis: Analysis }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const describe = (kind: string, details: Record<string, unknown>) => {
    const known = (knownTimelineKinds as readonly string[]).includes(kind) ? (kind as TimelineKind) : null;
    if (!known) return kind;
    const status = (value: unknown) => (typeof value === 'string' && value in statusNames ? t(`incidents.status.${value as keyof typeof statusNames}`) : String(value ?? ''));
    return t(`incidents.timeline.${known}`, { from: status(details.from), to: status(details.to), count: Number(details.alertCount ?? 0), title: String(details.title ?? '') });
  };
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">{t('incidents.timelineTitle')}</Title>
      <Stack gap={6} component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {analysis.timeline.map((entry, index) => (
          <Group key={`${entry.at}-${index}`} component="li" gap="sm" wrap="nowrap" align="flex-start">
            <Text size="xs" c="gray.7" miw={140}>{formatDateTime(entry.at)}</Text>
            <Text size="sm">{describe(entry.kind, entry.details)}</Text>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

const statusNames = { new: 1, acknowledged: 1, investigating: 1, customer_notified: 1, resolved: 1, merged: 1 } as const;

function Related({ analysis }: { analysis: Analysis }) {
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">{t('incidents.related')}</Title>
      {analysis.related.length === 0 && <Text size="sm" c="gray.7">{t('incidents.noRelated')}</Text>}
      <Stack gap={6}>
        {analysis.related.map((r) => (
          <Group key={r.id} gap="xs" wrap="nowrap">
            <PriorityBadge priority={r.priority} />
            <StatusBadge status={r.status} />
            <RouterLink to={`/incidents/${r.id}`} size="sm">{r.title}</RouterLink>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}

function Notes({ analysis, canAct, onAdd }: { analysis: Analysis; canAct: boolean; onAdd: (body: string) => void }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const [body, setBody] = useState('');
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">{t('incidents.notes')}</Title>
      <Stack gap="xs">
        {analysis.notes.length === 0 && <Text size="sm" c="gray.7">{t('incidents.noNotes')}</Text>}
        {analysis.notes.map((n) => (
          <Card key={n.id} bg="gray.0" padding="xs">
            <Text size="xs" c="gray.7">{formatDateTime(n.createdAt)}</Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{n.body}</Text>
          </Card>
        ))}
        {canAct && (
          <>
            <Textarea label={t('incidents.newNote')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} maxLength={4000} />
            <Button size="xs" disabled={!body.trim()} style={{ alignSelf: 'flex-start' }} onClick={() => {
              onAdd(body.trim());
              setBody('');
            }}>
              {t('incidents.addNote')}
            </Button>
          </>
        )}
      </Stack>
    </Card>
  );
}

function Tasks({ analysis, canAct, onAdd, onTick }: { analysis: Analysis; canAct: boolean; onAdd: (title: string) => void; onTick: (taskId: string, done: boolean) => void }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState('');
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">{t('incidents.tasks')}</Title>
      <Stack gap="xs">
        {analysis.tasks.length === 0 && <Text size="sm" c="gray.7">{t('incidents.noTasks')}</Text>}
        {analysis.tasks.map((task) => (
          <Checkbox key={task.id} label={task.title} checked={task.done} disabled={!canAct} onChange={(e) => onTick(task.id, e.currentTarget.checked)} />
        ))}
        {canAct && (
          <Group gap="xs" align="flex-end">
            <TextInput label={t('incidents.newTask')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} maxLength={500} style={{ flex: 1 }} />
            <Button size="sm" disabled={!title.trim()} onClick={() => {
              onAdd(title.trim());
              setTitle('');
            }}>
              {t('incidents.addTask')}
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

function ResolveModal({ opened, onClose, onResolve }: { opened: boolean; onClose: () => void; onResolve: (resolution: IncidentResolution, note: string) => void }) {
  const { t } = useTranslation();
  const [resolution, setResolution] = useState<IncidentResolution | null>(null);
  const [note, setNote] = useState('');
  return (
    <Modal opened={opened} onClose={onClose} title={t('incidents.resolveTitle')} closeButtonProps={{ 'aria-label': t('admin.close') }}>
      <Stack gap="sm">
        <Select label={t('incidents.resolution')} required data={resolutions.map((r) => ({ value: r, label: t(`incidents.resolutionLabel.${r}`) }))} value={resolution} onChange={(v) => setResolution(v as IncidentResolution | null)} />
        <Textarea label={t('incidents.resolveNote')} value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} maxLength={4000} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('incidents.cancel')}</Button>
          <Button color="green" disabled={!resolution} onClick={() => resolution && onResolve(resolution, note.trim())}>{t('incidents.actionResolve')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

