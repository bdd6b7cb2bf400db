import { Alert, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { RouterLink } from '../router/RouterLink.tsx';
import { AuthFrame } from './AuthFrame.tsx';

/** Asks for a reset mail. The server answers the same for unknown addresses, and so do we. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [touched, setTouched] = useState(false);
  const request = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/auth/password-reset/request', { body: { email: email.trim() } })),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (email.trim()) request.mutate();
  }

  return (
    <AuthFrame title={t('forgotPassword.title')}>
      {request.isSuccess ? (
        <Alert color="teal" variant="light" role="status">
          <Text size="sm">{t('forgotPassword.sent')}</Text>
        </Alert>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <Stack gap="md">
            <Text size="sm">{t('forgotPassword.lead')}</Text>
            <ApiErrorAlert error={request.error} />
            <TextInput
              label={t('forgotPassword.email')}
              type="email"
              name="email"
              autoComplete="username"
              inputMode="email"
              required
              value={email}
              onChange={(event) => setEmail(event.currentTarget.value)}
              error={touched && !email.trim() ? t('login.emailRequired') : null}
            />
            <Button type="submit" fullWidth size="md" loading={request.isPending}>
              {t('forgotPassword.submit')}
            </Button>
          </Stack>
        </form>
      )}
      <RouterLink to="/login" size="sm" ta="center">
        {t('common.backToLogin')}
      </RouterLink>
    </AuthFrame>
  );
}
