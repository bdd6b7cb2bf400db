import { Box, Container, Flex, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../shell/LanguageSwitch.tsx';
import { ServiceMark } from '../shell/ServiceMark.tsx';

/** The frame of every signed-out page: the service name, the language switch and one card. */
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Box component="main" mih="100dvh" bg="gray.0" py={{ base: 'md', sm: 48 }}>
      <Container size={460} px="md">
        <Stack gap="lg">
          {/* On a phone the switch sits above the name: both on one line do not fit 375 px. */}
          <Flex direction={{ base: 'column-reverse', xs: 'row' }} justify="space-between" align={{ base: 'flex-end', xs: 'center' }} gap="sm">
            <Group gap="xs" wrap="nowrap" w={{ base: '100%', xs: 'auto' }}>
              <ServiceMark size={32} />
              <Box>
                <Text fw={700} size="md" lh={1.3}>
                  {t('app.serviceName')}
                </Text>
                <Text size="xs" c="gray.7" lh={1.3}>
                  {t('app.productName')}
                </Text>
              </Box>
            </Group>
            <LanguageSwitch />
          </Flex>
          <Paper withBorder shadow="sm" radius="md" p={{ base: 'md', sm: 'xl' }}>
            <Stack gap="md">
              <Title order={1} size="h2">
                {title}
              </Title>
              {children}
            </Stack>
          </Paper>
        </Stack>
      </Container>
    </Box>
  );
}
