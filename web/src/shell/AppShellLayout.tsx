import { AppShell, Box, Burger, Button, Group, ScrollArea, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSignOut, type SessionInfo } from '../auth/session.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { RoleNavigation } from './RoleNavigation.tsx';
import { ServiceMark } from './ServiceMark.tsx';
import { UserSummary } from './UserSummary.tsx';

/**
 * The signed-in frame. On a phone the header keeps only the menu button and the service name;
 * who is signed in, the language switch and sign-out move into the collapsible navbar.
 */
export function AppShellLayout({ session, children }: { session: SessionInfo; children: ReactNode }) {
  const { t } = useTranslation();
  const [navOpened, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  const signOut = useSignOut();

  const signOutButton = (
    <Button variant="default" size="xs" onClick={() => void signOut()}>
      {t('shell.signOut')}
    </Button>
  );

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 280, breakpoint: 'sm', collapsed: { mobile: !navOpened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger
              opened={navOpened}
              onClick={toggleNav}
              hiddenFrom="sm"
              size="sm"
              aria-label={navOpened ? t('shell.closeNavigation') : t('shell.openNavigation')}
              aria-expanded={navOpened}
              aria-controls="main-navigation"
            />
            <ServiceMark />
            <Box miw={0}>
              <Text fw={700} size="md" lh={1.2} truncate>
                {t('app.serviceName')}
              </Text>
              <Text size="xs" c="gray.7" lh={1.2} visibleFrom="sm">
                {t('app.productName')}
              </Text>
            </Box>
          </Group>
          <Group gap="md" wrap="nowrap" visibleFrom="sm">
            <UserSummary session={session} align="right" />
            <LanguageSwitch />
            {signOutButton}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md" id="main-navigation" aria-label={t('shell.mainNavigation')}>
        <AppShell.Section hiddenFrom="sm" mb="md">
          <Stack gap="sm">
            <UserSummary session={session} />
            <Group justify="space-between" wrap="nowrap">
              <LanguageSwitch />
              {signOutButton}
            </Group>
          </Stack>
        </AppShell.Section>
        <AppShell.Section grow component={ScrollArea}>
          <RoleNavigation role={session.user.role} onNavigate={closeNav} />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
