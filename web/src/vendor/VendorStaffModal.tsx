import { Alert, Badge, Button, Group, Loader, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/apiError.ts';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { useSession } from '../auth/session.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatDateTime } from '../i18n/dateTime.ts';

type Member = components['schemas']['VendorStaffMember'];
type Invitation = Member['invitation'];

export const vendorStaffKey = (vendorId: string) => ['vendors', vendorId, 'staff'] as const;

/** True when the server refused the address because another account already uses it. */
function emailTaken(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.code !== 'conflict') return false;
  const fields = (error.details as { fields?: Array<{ field: string }> } | undefined)?.fields ?? [];
  return fields.some((f) => f.field === 'body.email');
}

/** Why the server refused to send the invitation again (`details.reason` of its 409), if it said. */
function resendRefusal(error: unknown): 'already_accepted' | 'disabled' | null {
  if (!(error instanceof ApiError) || error.code !== 'conflict') return null;
  const reason = (error.details as { reason?: string } | undefined)?.reason;
  return reason === 'already_accepted' || reason === 'disabled' ? reason : null;
}

const invitationColor: Record<Invitation['state'], string> = { pending: 'blue', expired: 'orange', accepted: 'green' };
const invitationLabel = { pending: 'vendorStaff.invitationPending', expired: 'vendorStaff.invitationExpired', accepted: 'vendorStaff.invitationAccepted' } as const;

/**
 * A vendor's portal accounts: who of the vendor signs in to see its jobs, and where each invitation
 * stands (招待中 / 期限切れ / 利用中). The operator's admin adds one (the person is mailed an invitation
 * to set a password), sends a pending or expired invitation again, or disables one; other staff only read.
 */
export function VendorStaffModal({ vendorId, vendorName, onClose }: { vendorId: string; vendorName: string; onClose: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const canEdit = session.data?.user.role === 'operator_admin';
  const formatDateTime = useFormatDateTime();
  const staff = useQuery({ queryKey: vendorStaffKey(vendorId), queryFn: () => expectOk(api.GET('/api/v1/vendors/{id}/staff', { params: { path: { id: vendorId } } })) });
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <Modal opened onClose={onClose} size="xl" title={t('vendorStaff.title', { name: vendorName })} closeButtonProps={{ 'aria-label': t('admin.close') }}>
      <Stack gap="md">
        <Text size="sm" c="gray.7">
          {t('vendorStaff.intro')}
        </Text>
        {notice && (
          <Alert color="green" role="status" withCloseButton closeButtonLabel={t('admin.close')} onClose={() => setNotice(null)}>
            {notice}
          </Alert>
        )}
        {staff.isPending && <Loader aria-label={t('common.loading')} />}
        {staff.isError && <ApiErrorAlert error={staff.error} />}
        {staff.data && staff.data.length === 0 && <Alert color="gray">{t('vendorStaff.empty')}</Alert>}
        {staff.data && staff.data.length > 0 && (
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('vendorStaff.name')}</Table.Th>
                <Table.Th>{t('vendorStaff.email')}</Table.Th>
                <Table.Th>{t('vendorStaff.createdAt')}</Table.Th>
                <Table.Th>{t('vendorStaff.state')}</Table.Th>
                {canEdit && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {staff.data.map((u) => (
                <StaffRow key={u.id} vendorId={vendorId} user={u} canEdit={canEdit} createdAt={formatDateTime(u.createdAt)} onNotice={setNotice} />
              ))}
            </Table.Tbody>
          </Table>
        )}
        {canEdit && <AddStaffForm vendorId={vendorId} onInvited={(email) => setNotice(email && t('vendorStaff.invited', { email }))} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('admin.close')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** An active account's state: where the person's invitation stands, with the dates that matter for it. */
function InvitationCell({ invitation }: { invitation: Invitation }) {
  const { t } = useTranslation();
  const formatDateTime = useFormatDateTime();
  const date = (iso: string | null) => (iso ? formatDateTime(iso) : '');
  const lines =
    invitation.state === 'accepted'
      ? invitation.acceptedAt
        ? [t('vendorStaff.invitationAcceptedAt', { date: date(invitation.acceptedAt) })]
        : [t('vendorStaff.invitationNone')]
      : [
          t('vendorStaff.invitationSentAt', { date: date(invitation.sentAt) }),
          t(invitation.state === 'pending' ? 'vendorStaff.invitationExpiresAt' : 'vendorStaff.invitationExpiredAt', { date: date(invitation.expiresAt) }),
        ];
  return (
    <Stack gap={2} align="flex-start">
      <Badge color={invitationColor[invitation.state]} variant="light" style={{ maxWidth: 'none', overflow: 'visible' }}>
        {t(invitationLabel[invitation.state])}
      </Badge>
      {lines.map((line) => (
        <Text key={line} size="xs" c="gray.7">
          {line}
        </Text>
      ))}
    </Stack>
  );
}

function StaffRow({ vendorId, user, canEdit, createdAt, onNotice }: { vendorId: string; user: Member; canEdit: boolean; createdAt: string; onNotice: (text: string | null) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const resend = useMutation({
    onMutate: () => onNotice(null),
    mutationFn: () => expectOk(api.POST('/api/v1/vendors/{id}/staff/{userId}/invitation', { params: { path: { id: vendorId, userId: user.id } } })),
    onSuccess: async (member) => {
      onNotice(t('vendorStaff.resent', { email: member.email }));
      await queryClient.invalidateQueries({ queryKey: vendorStaffKey(vendorId) });
    },
    onError: async () => queryClient.invalidateQueries({ queryKey: vendorStaffKey(vendorId) }),
  });
  const refusal = resend.isError ? resendRefusal(resend.error) : null;
  const canResend = !user.disabled && user.invitation.state !== 'accepted';
  const disable = useMutation({
    mutationFn: () => expectOk(api.DELETE('/api/v1/vendors/{id}/staff/{userId}', { params: { path: { id: vendorId, userId: user.id } } })),
    onSuccess: async () => {
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: vendorStaffKey(vendorId) });
    },
  });
  return (
    <Table.Tr>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{user.displayName}</Table.Td>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{user.email}</Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{createdAt}</Table.Td>
      <Table.Td style={{ minWidth: 150 }}>
        {user.disabled ? (
          <Badge color="gray" variant="light" style={{ maxWidth: 'none', overflow: 'visible' }}>
            {t('vendorStaff.disabled')}
          </Badge>
        ) : (
          <InvitationCell invitation={user.invitation} />
        )}
      </Table.Td>
      {canEdit && (
        <Table.Td>
          {canResend && (
            <Button size="compact-xs" variant="light" mb={4} loading={resend.isPending} onClick={() => resend.mutate()}>
              {t('vendorStaff.resend')}
            </Button>
          )}
          {refusal && (
            <Alert color="red" variant="light" role="alert" p="xs">
              <Text size="xs">{t(refusal === 'disabled' ? 'vendorStaff.resendDisabled' : 'vendorStaff.resendAccepted')}</Text>
            </Alert>
          )}
          {resend.isError && !refusal && <ApiErrorAlert error={resend.error} />}
          {!user.disabled && !confirming && (
            <Button size="compact-xs" variant="default" onClick={() => setConfirming(true)}>
              {t('vendorStaff.disable')}
            </Button>
          )}
          {!user.disabled && confirming && (
            <Stack gap={4}>
              <Text size="xs">{t('vendorStaff.disableConfirm', { name: user.displayName })}</Text>
              <Group gap={4}>
                <Button size="compact-xs" color="red" loading={disable.isPending} onClick={() => disable.mutate()}>
                  {t('vendorStaff.disableYes')}
                </Button>
                <Button size="compact-xs" variant="default" onClick={() => setConfirming(false)}>
                  {t('partners.cancel')}
                </Button>
              </Group>
            </Stack>
          )}
          {disable.isError && <ApiErrorAlert error={disable.error} />}
        </Table.Td>
      )}
    </Table.Tr>
  );
}

function AddStaffForm({ vendorId, onInvited }: { vendorId: string; onInvited: (email: string | null) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const add = useMutation({
    onMutate: () => onInvited(null),
    mutationFn: () => expectOk(api.POST('/api/v1/vendors/{id}/staff', { params: { path: { id: vendorId } }, body: { email: email.trim(), displayName: displayName.trim(), locale: 'ja' } })),
    onSuccess: async (user) => {
      setEmail('');
      setDisplayName('');
      onInvited(user.email);
      await queryClient.invalidateQueries({ queryKey: vendorStaffKey(vendorId) });
    },
  });
  const taken = add.isError && emailTaken(add.error);
  const ready = email.trim() !== '' && displayName.trim() !== '';
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) add.mutate();
      }}
    >
      <Stack gap="sm">
        <Title order={4}>{t('vendorStaff.addTitle')}</Title>
        <Text size="sm" c="gray.7">
          {t('vendorStaff.addHint')}
        </Text>
        <Group grow align="flex-start">
          <TextInput label={t('vendorStaff.name')} value={displayName} onChange={(e) => setDisplayName(e.currentTarget.value)} maxLength={100} required />
          <TextInput
            label={t('vendorStaff.email')}
            type="email"
            value={email}
            onChange={(e) => {
              setEmail(e.currentTarget.value);
              if (add.isError) add.reset();
            }}
            maxLength={254}
            required
            error={taken ? t('vendorStaff.emailTaken') : undefined}
          />
        </Group>
        {add.isError && !taken && <ApiErrorAlert error={add.error} />}
        <Group justify="flex-end">
          <Button type="submit" disabled={!ready} loading={add.isPending}>
            {t('vendorStaff.add')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
