import { Button, Group, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { ticketCategories, ticketPriorities, type TicketCategory, type TicketPriority } from './helpdeskModel.ts';

/** A phone call logged while talking: the call is the first response, and the agent takes the ticket. */
export function PhoneCallForm({ onCreated }: { onCreated: (ticketId: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [organizationId, setOrganizationId] = useState<string | null>(null);
  const [callerName, setCallerName] = useState('');
  const [callerPhone, setCallerPhone] = useState('');
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState<TicketCategory>('other');
  const [priority, setPriority] = useState<TicketPriority>('normal');
  const [tried, setTried] = useState(false);
  const subscribers = useQuery({
    queryKey: ['organizations', 'subscriber'],
    queryFn: () => expectOk(api.GET('/api/v1/organizations', { params: { query: { kind: 'subscriber' } } })),
    staleTime: 60_000,
  });
  const create = useMutation({
    mutationFn: () =>
      expectOk(
        api.POST('/api/v1/helpdesk/tickets', {
          body: { organizationId, callerName: callerName.trim(), ...(callerPhone.trim() ? { callerPhone: callerPhone.trim() } : {}), subject: subject.trim(), description: description.trim(), category, priority },
        }),
      ),
    onSuccess: (detail) => {
      void queryClient.invalidateQueries({ queryKey: ['helpdesk'] });
      onCreated(detail.ticket.id);
    },
  });
  const missing = { callerName: !callerName.trim(), subject: !subject.trim(), description: !description.trim() };
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
        <Select
          label={t('helpdesk.callSubscriber')}
          description={t('helpdesk.callSubscriberHint')}
          placeholder={t('helpdesk.callSubscriberUnknown')}
          data={(subscribers.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
          value={organizationId}
          onChange={setOrganizationId}
          searchable
          clearable
          nothingFoundMessage={t('helpdesk.nothingFound')}
        />
        {subscribers.isError && <ApiErrorAlert error={subscribers.error} />}
        <Group grow align="flex-start">
          <TextInput label={t('helpdesk.callerName')} value={callerName} onChange={(e) => setCallerName(e.currentTarget.value)} required maxLength={200} error={tried && missing.callerName ? required : undefined} />
          <TextInput label={t('helpdesk.callerPhone')} value={callerPhone} onChange={(e) => setCallerPhone(e.currentTarget.value)} maxLength={40} inputMode="tel" />
        </Group>
        <TextInput label={t('helpdesk.subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} required maxLength={200} error={tried && missing.subject ? required : undefined} />
        <Textarea label={t('helpdesk.callNotes')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} required autosize minRows={4} maxLength={8000} error={tried && missing.description ? required : undefined} />
        <Group grow>
          <Select label={t('helpdesk.filterCategory')} data={ticketCategories.map((k) => ({ value: k, label: t(`helpdesk.category.${k}`) }))} value={category} onChange={(v) => v && setCategory(v as TicketCategory)} allowDeselect={false} />
          <Select label={t('helpdesk.filterPriority')} data={ticketPriorities.map((p) => ({ value: p, label: t(`helpdesk.priority.${p}`) }))} value={priority} onChange={(v) => v && setPriority(v as TicketPriority)} allowDeselect={false} />
        </Group>
        <Text size="sm" c="gray.7">
          {t('helpdesk.callCountsAsResponse')}
        </Text>
        {create.isError && <ApiErrorAlert error={create.error} />}
        <Button type="submit" loading={create.isPending}>
          {t('helpdesk.logCallSubmit')}
        </Button>
      </Stack>
    </form>
  );
}
