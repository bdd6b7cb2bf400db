import { Badge, Button, Card, Group, Loader, Modal, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { ticketCategories, type CannedReply, type TicketCategory } from './helpdeskModel.ts';

const cannedKey = ['helpdesk', 'canned-replies'];

export function useCannedReplies() {
  return useQuery({ queryKey: cannedKey, queryFn: () => expectOk(api.GET('/api/v1/helpdesk/canned-replies')), staleTime: 60_000 });
}

/** The desk's canned replies: list, add, edit, delete. Replies already sent keep their own text. */
export function CannedRepliesPanel() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const replies = useCannedReplies();
  const [editing, setEditing] = useState<CannedReply | 'new' | null>(null);
  const [deleting, setDeleting] = useState<CannedReply | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => expectOk(api.DELETE('/api/v1/helpdesk/canned-replies/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setDeleting(null);
      void queryClient.invalidateQueries({ queryKey: cannedKey });
    },
  });
  return (
    <Stack gap="md" maw={960}>
      <Group justify="space-between" align="flex-start">
        <Text c="gray.7" maw={640}>
          {t('helpdesk.cannedIntro')}
        </Text>
        <Button onClick={() => setEditing('new')}>{t('helpdesk.cannedAdd')}</Button>
      </Group>
      {replies.isPending && <Loader aria-label={t('common.loading')} />}
      {replies.isError && <ApiErrorAlert error={replies.error} />}
      {replies.data?.length === 0 && <Text>{t('helpdesk.cannedNone')}</Text>}
      {replies.data?.map((reply) => (
        <Card key={reply.id} withBorder padding="md" data-testid="canned-reply">
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Group gap="xs">
                <Text fw={700}>{reply.title}</Text>
                <Badge variant="light" color={reply.category ? 'blue' : 'gray'} radius="sm">
                  {reply.category ? t(`helpdesk.category.${reply.category}`) : t('helpdesk.cannedAnyCategory')}
                </Badge>
              </Group>
              <Group gap="xs" wrap="nowrap">
                <Button size="xs" variant="default" onClick={() => setEditing(reply)} aria-label={t('helpdesk.cannedEditOf', { title: reply.title })}>
                  {t('helpdesk.edit')}
                </Button>
                <Button size="xs" variant="subtle" color="red" onClick={() => setDeleting(reply)} aria-label={t('helpdesk.cannedDeleteOf', { title: reply.title })}>
                  {t('helpdesk.delete')}
                </Button>
              </Group>
            </Group>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {reply.body}
            </Text>
          </Stack>
        </Card>
      ))}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? t('helpdesk.cannedAdd') : t('helpdesk.cannedEdit')} size="lg" closeButtonProps={{ 'aria-label': t('admin.close') }}>
        {editing !== null && <CannedReplyForm reply={editing === 'new' ? null : editing} onSaved={() => setEditing(null)} />}
      </Modal>
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={t('helpdesk.cannedDeleteTitle')} closeButtonProps={{ 'aria-label': t('admin.close') }}>
        <Stack gap="sm">
          <Text>{t('helpdesk.cannedDeleteConfirm', { title: deleting?.title ?? '' })}</Text>
          {remove.isError && <ApiErrorAlert error={remove.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(null)}>
              {t('helpdesk.cancel')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => deleting && remove.mutate(deleting.id)}>
              {t('helpdesk.delete')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function CannedReplyForm({ reply, onSaved }: { reply: CannedReply | null; onSaved: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(reply?.title ?? '');
  const [body, setBody] = useState(reply?.body ?? '');
  const [category, setCategory] = useState<TicketCategory | null>(reply?.category ?? null);
  const [tried, setTried] = useState(false);
  const save = useMutation({
    mutationFn: () => {
      const fields = { title: title.trim(), body: body.trim(), category };
      return reply ? expectOk(api.PATCH('/api/v1/helpdesk/canned-replies/{id}', { params: { path: { id: reply.id } }, body: fields })) : expectOk(api.POST('/api/v1/helpdesk/canned-replies', { body: fields }));
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: cannedKey });
      onSaved();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (!title.trim() || !body.trim()) return;
    save.mutate();
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput label={t('helpdesk.cannedTitle')} value={title} onChange={(e) => setTitle(e.currentTarget.value)} required maxLength={200} error={tried && !title.trim() ? t('helpdesk.required') : undefined} />
        <Select
          label={t('helpdesk.filterCategory')}
          placeholder={t('helpdesk.cannedAnyCategory')}
          data={ticketCategories.map((k) => ({ value: k, label: t(`helpdesk.category.${k}`) }))}
          value={category}
          onChange={(v) => setCategory(v as TicketCategory | null)}
          clearable
        />
        <Textarea label={t('helpdesk.cannedBody')} value={body} onChange={(e) => setBody(e.currentTarget.value)} required autosize minRows={5} maxLength={8000} error={tried && !body.trim() ? t('helpdesk.required') : undefined} />
        {save.isError && <ApiErrorAlert error={save.error} />}
        <Button type="submit" loading={save.isPending}>
          {t('helpdesk.save')}
        </Button>
      </Stack>
    </form>
  );
}
