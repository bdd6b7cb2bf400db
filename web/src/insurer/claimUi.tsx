/** Pieces the insurer's page and the customer's portal share: the claim status and the questions thread. */
import { Badge, Button, Card, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';

export type Claim = components['schemas']['Claim'];

const claimColor: Record<Claim['status'], string> = { filed: 'blue', approved: 'green', partially_approved: 'teal', denied: 'red' };

export function ClaimStatusBadge({ status }: { status: Claim['status'] }) {
  const { t } = useTranslation();
  return (
    <Badge color={claimColor[status]} variant="light" radius="sm" style={{ flexShrink: 0, width: 'max-content', maxWidth: 'none' }} data-testid="claim-status">
      {t(`partners.claim.status.${status}`)}
    </Badge>
  );
}

/** Who wrote a comment, in words: the insurer, the customer or the operator's desk. */
function authorOf(claim: Claim, organizationId: string): 'insurer' | 'subscriber' | 'operator' {
  if (organizationId === claim.insurerOrganizationId) return 'insurer';
  if (organizationId === claim.organizationId) return 'subscriber';
  return 'operator';
}

/** The questions and answers on a claim, oldest first, with a box to write the next one. */
export function ClaimThread({ claim, queryKey, placeholder }: { claim: Claim; queryKey: readonly unknown[]; placeholder: string }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  const send = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/insurance/claims/{id}/comments', { params: { path: { id: claim.id } }, body: { body: body.trim() } })),
    onSuccess: async () => {
      setBody('');
      await queryClient.invalidateQueries({ queryKey });
    },
  });
  return (
    <Stack gap="sm">
      {claim.comments.length === 0 && <Text c="gray.7">{t('partners.claim.noComments')}</Text>}
      {claim.comments.map((c) => (
        <Card key={c.id} withBorder padding="sm" bg={authorOf(claim, c.authorOrganizationId) === 'insurer' ? 'blue.0' : undefined} data-testid="claim-comment">
          <Text size="xs" c="gray.7">
            {t('partners.claim.commentBy', { who: t(`partners.claim.author.${authorOf(claim, c.authorOrganizationId)}`), at: formatDateTime(c.createdAt) })}
          </Text>
          <Text style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{c.body}</Text>
        </Card>
      ))}
      <Textarea label={placeholder} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} maxLength={4000} />
      <Button onClick={() => send.mutate()} disabled={body.trim() === ''} loading={send.isPending} style={{ alignSelf: 'flex-start' }}>
        {t('partners.claim.send')}
      </Button>
      {send.isError && <ApiErrorAlert error={send.error} />}
    </Stack>
  );
}
