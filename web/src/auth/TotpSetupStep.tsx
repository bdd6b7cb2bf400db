import { Anchor, Center, Code, Image, List, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema.d.ts';
import { TotpCodeForm, type TotpCodeFormProps } from './TotpCodeForm.tsx';

type TotpSetup = Extract<components['schemas']['LoginResponse'], { status: 'totp_setup_required' }>;

interface TotpSetupStepProps extends Omit<TotpCodeFormProps, 'submitLabel' | 'challenge'> {
  setup: TotpSetup;
  onRestart: () => void;
}

/** Groups of four are easier to copy by hand into an app; apps ignore the spaces. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * First sign-in of an account that needs two-step verification: how to add it to an
 * authenticator app (QR code, or the key typed by hand), then the first code to prove it works.
 */
export function TotpSetupStep({ setup, onRestart, ...form }: TotpSetupStepProps) {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <Text size="sm">{t('totpSetup.why')}</Text>
      {/* Mantine's item wrapper is inline-flex and would grow past the card with the QR block. */}
      <List type="ordered" spacing="md" size="sm" styles={{ itemWrapper: { display: 'block' } }}>
        <List.Item>{t('totpSetup.step1')}</List.Item>
        <List.Item>
          <Stack gap="sm">
            <Text size="sm">{t('totpSetup.step2')}</Text>
            <Center>
              <Image src={setup.qrDataUrl} alt={t('totpSetup.qrAlt')} w={200} h={200} fit="contain" />
            </Center>
            <Text size="sm">{t('totpSetup.manual')}</Text>
            <Text size="sm" fw={500} component="div">
              {t('totpSetup.secretLabel')}
              <Code block fz="md" mt={4} data-testid="totp-secret" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', userSelect: 'all' }}>
                {grouped(setup.secret)}
              </Code>
            </Text>
          </Stack>
        </List.Item>
        <List.Item>{t('totpSetup.step3')}</List.Item>
      </List>
      <TotpCodeForm {...form} challenge={setup.challenge} submitLabel={t('totpSetup.submit')} />
      <Anchor component="button" type="button" size="sm" onClick={onRestart}>
        {t('totp.restart')}
      </Anchor>
    </Stack>
  );
}
