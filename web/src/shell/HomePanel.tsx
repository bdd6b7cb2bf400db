import { Alert, Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../auth/session.ts';
import { adminPagePaths, adminPagesOfRole } from '../admin/adminPages.ts';
import { RouterLink } from '../router/RouterLink.tsx';
import { audienceOfRole, featuresOfAudience } from './roleHome.ts';

/**
 * The signed-in home: who this console is for, the pages this role can open now, and (while any
 * remain) the features still being prepared for it.
 */
export function HomePanel({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const audience = audienceOfRole[session.user.role];
  const pages = adminPagesOfRole(session.user.role);
  const upcoming = featuresOfAudience[audience];
  return (
    <Stack gap="lg" maw={960}>
      <Stack gap={4}>
        <Text size="sm" c="gray.7">
          {t('home.greeting', { name: session.user.displayName })}
        </Text>
        <Title order={1} size="h2">
          {t(`home.${audience}.title`)}
        </Title>
        <Text>{t(`home.${audience}.lead`)}</Text>
      </Stack>
      {pages.length > 0 && (
        <Stack gap="sm">
          <Title order={2} size="h3">
            {t('home.pagesTitle')}
          </Title>
          <Group gap="sm">
            {pages.map((page) => (
              <RouterLink key={page} to={adminPagePaths[page]}>
                {t(`admin.${page}`)}
              </RouterLink>
            ))}
          </Group>
        </Stack>
      )}
      {upcoming.length > 0 && (
        <>
          <Alert color="blue" variant="light">
            <Text size="sm">{t('home.preparingNote')}</Text>
          </Alert>
          <Title order={2} size="h3">
            {t('home.upcomingTitle')}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
            {upcoming.map((feature) => (
              <Card key={feature} withBorder radius="md" padding="lg">
                <Group justify="space-between" wrap="nowrap" mb="xs" align="flex-start">
                  <Title order={3} size="h4">
                    {t(`features.${feature}.label`)}
                  </Title>
                  <Badge variant="light" color="gray" c="gray.8" style={{ flexShrink: 0 }}>
                    {t('shell.preparing')}
                  </Badge>
                </Group>
                <Text size="sm">{t(`features.${feature}.description`)}</Text>
              </Card>
            ))}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
