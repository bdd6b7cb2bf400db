import { Badge, Group, NavLink, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Role } from '../auth/session.ts';
import { navigate, useLocation } from '../router/router.ts';
import { audienceOfRole, featuresOfAudience } from './roleHome.ts';
import { adminPagePaths, adminPagesOfRole } from '../admin/adminPages.ts';

/**
 * The navbar: Home, then the features planned for this role as plain text (not links), so the
 * menu tells the reader what is coming without offering buttons that do nothing.
 */
export function RoleNavigation({ role, onNavigate }: { role: Role; onNavigate: () => void }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const features = featuresOfAudience[audienceOfRole[role]];
  return (
    <Stack gap="md">
      <NavLink
        href="/"
        label={t('shell.home')}
        active={pathname === '/'}
        aria-current={pathname === '/' ? 'page' : undefined}
        onClick={(event) => {
          event.preventDefault();
          navigate('/');
          onNavigate();
        }}
      />
      {adminPagesOfRole(role).map((page) => (
        <NavLink
          key={page}
          href={adminPagePaths[page]}
          label={t(`admin.${page}`)}
          active={pathname === adminPagePaths[page] || pathname.startsWith(`${adminPagePaths[page]}/`)}
          aria-current={pathname === adminPagePaths[page] ? 'page' : undefined}
          onClick={(event) => {
            event.preventDefault();
            navigate(adminPagePaths[page]);
            onNavigate();
          }}
        />
      ))}
      {features.length > 0 && (
      <Stack gap={6} px="sm">
        <Text size="xs" fw={700} c="gray.7" tt="uppercase">
          {t('shell.upcoming')}
        </Text>
        {features.map((feature) => (
          <Group key={feature} justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" c="gray.8">
              {t(`features.${feature}.label`)}
            </Text>
            <Badge size="xs" variant="light" color="gray" c="gray.8" style={{ flexShrink: 0 }}>
              {t('shell.preparing')}
            </Badge>
          </Group>
        ))}
      </Stack>
      )}
    </Stack>
  );
}
