import { Alert, Button, Card, FileButton, Group, Loader, Modal, NumberInput, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { DispatchStatusBadge, JobFacts, JobFiles, JobReport, type DispatchJob } from '../dispatch/dispatchUi.tsx';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';
import { RouterLink } from '../router/RouterLink.tsx';
import { navigate } from '../router/router.ts';
import { MAX_UPLOAD_BYTES, prepareUpload } from './uploadFile.ts';

const jobsKey = ['vendor', 'jobs'] as const;

/** The order a vendor works in: answer offers first, then the visits under way, then the finished. */
const groups: Array<{ key: 'offers' | 'active' | 'done'; statuses: DispatchJob['status'][] }> = [
  { key: 'offers', statuses: ['offered'] },
  { key: 'active', statuses: ['accepted', 'on_site'] },
  { key: 'done', statuses: ['reported', 'signed_off'] },
];

/**
 * The vendor's jobs, made for a phone: offers with their answer deadline, accepted visits, reports.
 * With an id, one job: the place, the contact and the problem, and the next step as one big button.
 */
export function VendorJobsPage({ id }: { id?: string }) {
  return id ? <VendorJob id={id} /> : <VendorJobList />;
}

function VendorJobList() {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const jobs = useQuery({ queryKey: jobsKey, queryFn: () => expectOk(api.GET('/api/v1/dispatch/jobs', { params: { query: { limit: 200 } } })), refetchInterval: 30_000 });
  return (
    <Stack gap="md" maw={720}>
      <Title order={2}>{t('admin.vendorJobs')}</Title>
      <Text c="gray.7">{t('partners.vendor.intro')}</Text>
      {jobs.isPending && <Loader aria-label={t('common.loading')} />}
      {jobs.isError && <ApiErrorAlert error={jobs.error} />}
      {jobs.data && jobs.data.length === 0 && <Alert color="gray">{t('partners.vendor.empty')}</Alert>}
      {jobs.data &&
        groups.map(({ key, statuses }) => {
          const items = jobs.data.filter((j) => statuses.includes(j.status));
          if (items.length === 0) return null;
          return (
            <Stack key={key} gap="sm">
              <Title order={3} size="h4">
                {t(`partners.vendor.group.${key}`, { count: items.length })}
              </Title>
              {items.map((job) => (
                <Card key={job.id} withBorder padding="md" data-testid="vendor-job">
                  <Stack gap={6}>
                    <Group gap="xs" justify="space-between" wrap="nowrap">
                      <DispatchStatusBadge status={job.status} />
                      {job.status === 'offered' && job.offerDeadlineAt && (
                        <Text size="sm" fw={700} c="red.9">
                          {t('partners.vendor.answerBy', { at: formatDateTime(job.offerDeadlineAt) })}
                        </Text>
                      )}
                    </Group>
                    <RouterLink to={`/vendor/jobs/${job.id}`} fw={700} size="lg" style={{ overflowWrap: 'anywhere' }}>
                      {t('partners.vendor.jobTitle', { company: job.companyName, site: job.siteName })}
                    </RouterLink>
                    <Text size="sm" c="gray.8">
                      {[job.prefecture, job.city].filter(Boolean).join(' ')}
                    </Text>
                    <Text size="sm" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>
                      {job.problem}
                    </Text>
                  </Stack>
                </Card>
              ))}
            </Stack>
          );
        })}
    </Stack>
  );
}

function VendorJob({ id }: { id: string }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const job = useQuery({ queryKey: [...jobsKey, id], queryFn: () => expectOk(api.GET('/api/v1/dispatch/jobs/{id}', { params: { path: { id } } })) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: jobsKey });
  const accept = useMutation({ mutationFn: () => expectOk(api.POST('/api/v1/dispatch/jobs/{id}/accept', { params: { path: { id } } })), onSuccess: refresh });
  const arrive = useMutation({ mutationFn: () => expectOk(api.POST('/api/v1/dispatch/jobs/{id}/arrival', { params: { path: { id } }, body: {} })), onSuccess: refresh });
  const [declining, setDeclining] = useState(false);

  return (
    <Stack gap="md" maw={720}>
      <RouterLink to="/vendor/jobs" size="sm">
        {t('partners.vendor.back')}
      </RouterLink>
      <Title order={2}>{t('partners.vendor.detailTitle')}</Title>
      {job.isPending && <Loader aria-label={t('common.loading')} />}
      {job.isError && <ApiErrorAlert error={job.error} />}
      {job.data && (
        <>
          <Group gap="xs">
            <DispatchStatusBadge status={job.data.status} />
            {job.data.arrivedAt && <Text size="sm">{t('partners.vendor.arrivedAt', { at: formatDateTime(job.data.arrivedAt) })}</Text>}
          </Group>
          {job.data.status === 'offered' && job.data.offerDeadlineAt && (
            <Alert color="yellow" variant="light" title={t('partners.vendor.offerTitle')}>
              <Text fw={700}>{t('partners.vendor.answerBy', { at: formatDateTime(job.data.offerDeadlineAt) })}</Text>
            </Alert>
          )}
          <Card withBorder padding="md">
            <JobFacts job={job.data} />
          </Card>
          {job.data.status === 'offered' && (
            <Stack gap="sm">
              <Button size="lg" fullWidth onClick={() => accept.mutate()} loading={accept.isPending}>
                {t('partners.vendor.accept')}
              </Button>
              <Button size="lg" fullWidth variant="default" onClick={() => setDeclining(true)}>
                {t('partners.vendor.decline')}
              </Button>
              {accept.isError && <ApiErrorAlert error={accept.error} />}
            </Stack>
          )}
          {job.data.status === 'accepted' && (
            <Stack gap="sm">
              <Button size="lg" fullWidth onClick={() => arrive.mutate()} loading={arrive.isPending}>
                {t('partners.vendor.arrive')}
              </Button>
              {arrive.isError && <ApiErrorAlert error={arrive.error} />}
            </Stack>
          )}
          {(job.data.status === 'accepted' || job.data.status === 'on_site' || job.data.files.length > 0) && (
            <Card withBorder padding="md">
              <Stack gap="sm">
                <Title order={3} size="h4">
                  {t('partners.files.title')}
                </Title>
                <JobFiles job={job.data} />
                {(job.data.status === 'accepted' || job.data.status === 'on_site') && <UploadButton id={id} onDone={refresh} />}
              </Stack>
            </Card>
          )}
          {job.data.status === 'on_site' && <ReportForm id={id} onDone={refresh} />}
          <JobReport job={job.data} />
          <DeclineModal id={id} opened={declining} onClose={() => setDeclining(false)} />
        </>
      )}
    </Stack>
  );
}

function UploadButton({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useTranslation();
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const prepared = await prepareUpload(file);
      if (prepared.sizeBytes > MAX_UPLOAD_BYTES) throw new RangeError('the file is larger than the server takes');
      const { sizeBytes: _size, ...body } = prepared;
      return expectOk(api.POST('/api/v1/dispatch/jobs/{id}/files', { params: { path: { id } }, body }));
    },
    onSuccess: onDone,
  });
  return (
    <Stack gap="xs">
      <FileButton onChange={(file) => file && upload.mutate(file)} accept="image/*,application/pdf">
        {(props) => (
          <Button {...props} size="md" variant="light" fullWidth loading={upload.isPending}>
            {t('partners.files.add')}
          </Button>
        )}
      </FileButton>
      <Text size="xs" c="gray.7">
        {t('partners.files.hint')}
      </Text>
      {upload.isSuccess && (
        <Text size="sm" c="green.9" role="status">
          {t('partners.files.added')}
        </Text>
      )}
      {upload.isError &&
        (upload.error instanceof RangeError ? (
          <Alert color="red" variant="light" role="alert">
            {t('partners.files.tooLarge')}
          </Alert>
        ) : (
          <ApiErrorAlert error={upload.error} />
        ))}
    </Stack>
  );
}

function ReportForm({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [workDone, setWorkDone] = useState('');
  const [minutes, setMinutes] = useState<number | string>('');
  const [cost, setCost] = useState<number | string>('');
  const [report, setReport] = useState('');
  const send = useMutation({
    mutationFn: () =>
      expectOk(api.POST('/api/v1/dispatch/jobs/{id}/report', { params: { path: { id } }, body: { workDone: workDone.trim(), minutesWorked: Number(minutes), costYen: Number(cost), report: report.trim() } })),
    onSuccess: onDone,
  });
  const ready = workDone.trim() !== '' && report.trim() !== '' && minutes !== '' && cost !== '';
  return (
    <Card withBorder padding="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) send.mutate();
        }}
      >
        <Stack gap="sm">
          <Title order={3} size="h4">
            {t('partners.vendor.reportTitle')}
          </Title>
          <Textarea label={t('partners.report.workDone')} value={workDone} onChange={(e) => setWorkDone(e.currentTarget.value)} autosize minRows={3} maxLength={8000} required />
          <Group grow align="flex-start">
            <NumberInput label={t('partners.vendor.minutesLabel')} value={minutes} onChange={setMinutes} min={0} max={10000} allowDecimal={false} required inputMode="numeric" />
            <NumberInput label={t('partners.vendor.costLabel')} value={cost} onChange={setCost} min={0} max={10000000} allowDecimal={false} thousandSeparator="," required inputMode="numeric" />
          </Group>
          <Textarea label={t('partners.report.report')} description={t('partners.vendor.reportHint')} value={report} onChange={(e) => setReport(e.currentTarget.value)} autosize minRows={3} maxLength={8000} required />
          <Button type="submit" size="lg" fullWidth disabled={!ready} loading={send.isPending}>
            {t('partners.vendor.sendReport')}
          </Button>
          {send.isError && <ApiErrorAlert error={send.error} />}
        </Stack>
      </form>
    </Card>
  );
}

function DeclineModal({ id, opened, onClose }: { id: string; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const decline = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/dispatch/jobs/{id}/decline', { params: { path: { id } }, body: { reason: reason.trim() } })),
    onSuccess: async () => {
      onClose();
      await queryClient.invalidateQueries({ queryKey: jobsKey });
      navigate('/vendor/jobs');
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('partners.vendor.declineTitle')} closeButtonProps={{ 'aria-label': t('admin.close') }}>
      <Stack gap="sm">
        <Text size="sm">{t('partners.vendor.declineNote')}</Text>
        <Textarea label={t('partners.vendor.declineReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} maxLength={1000} required data-autofocus />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('partners.cancel')}
          </Button>
          <Button color="red" onClick={() => decline.mutate()} disabled={reason.trim() === ''} loading={decline.isPending}>
            {t('partners.vendor.declineSend')}
          </Button>
        </Group>
        {decline.isError && <ApiErrorAlert error={decline.error} />}
      </Stack>
    </Modal>
  );
}
