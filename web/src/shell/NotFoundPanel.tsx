import { Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { RouterLink } from '../router/RouterLink.tsx';

/** A console address that does not exist (yet), e.g. an old bookmark. */
export function NotFoundPanel() {
  const { t } = useTranslation();
  return (
    <Stack gap="sm">
      <Text>{t('shell.notFound')}</Text>
      <RouterLink to="/">{t('shell.goHome')}</RouterLink>
    </Stack>
  );
}
