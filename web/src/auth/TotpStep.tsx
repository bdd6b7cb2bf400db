import { Anchor, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { TotpCodeForm, type TotpCodeFormProps } from './TotpCodeForm.tsx';

interface TotpStepProps extends Omit<TotpCodeFormProps, 'submitLabel'> {
  onRestart: () => void;
}

/** The second step for an account whose authenticator is already set up. */
export function TotpStep({ onRestart, ...form }: TotpStepProps) {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <Text size="sm">{t('totp.lead')}</Text>
      <TotpCodeForm {...form} submitLabel={t('totp.submit')} />
      <Anchor component="button" type="button" size="sm" onClick={onRestart}>
        {t('totp.restart')}
      </Anchor>
    </Stack>
  );
}
