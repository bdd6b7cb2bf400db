import { Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../auth/session.ts';

/** Which organization and which person is signed in, with the role in words. */
export function UserSummary({ session, align = 'left' }: { session: SessionInfo; align?: 'left' | 'right' }) {
  const { t } = useTranslation();
  return (
    <Stack gap={0} align={align === 'right' ? 'flex-end' : 'flex-start'} aria-label={t('shell.signedInAs')} role="group">
      <Text size="sm" fw={700} lh={1.35} ta={align} data-testid="organization-name">
        {session.organization.name}
      </Text>
      <Text size="xs" c="gray.7" lh={1.35} ta={align}>
        {session.user.displayName}
        {' · '}
        {t(`roles.${session.user.role}`)}
      </Text>
    </Stack>
  );
}
