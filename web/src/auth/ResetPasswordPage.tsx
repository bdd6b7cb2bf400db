import { Alert, Button, PasswordInput, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { RouterLink } from '../router/RouterLink.tsx';
import { useLocation } from '../router/router.ts';
import { AuthFrame } from './AuthFrame.tsx';

// The server's rule (PasswordResetConfirm.password minLength), checked here to answer sooner.
const minLength = 12;

/** Opened from the mailed link /reset-password?token=…: sets the new password. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const token = new URLSearchParams(search).get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);
  const reset = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } })),
  });

  const passwordError = touched && password.length < minLength ? t('resetPassword.tooShort') : null;
  const confirmError = touched && !passwordError && confirm !== password ? t('resetPassword.mismatch') : null;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (password.length >= minLength && confirm === password) reset.mutate();
  }

  let body;
  if (!token) {
    body = (
      <Stack gap="md">
        <Alert color="red" variant="light" role="alert">
          <Text size="sm">{t('resetPassword.missingToken')}</Text>
        </Alert>
        <RouterLink to="/forgot-password" size="sm">
          {t('resetPassword.requestAgain')}
        </RouterLink>
      </Stack>
    );
  } else if (reset.isSuccess) {
    body = (
      <Alert color="teal" variant="light" role="status">
        <Text size="sm">{t('resetPassword.done')}</Text>
      </Alert>
    );
  } else {
    body = (
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          <Text size="sm">{t('resetPassword.lead')}</Text>
          <ApiErrorAlert error={reset.error} />
          {reset.isError && (
            <RouterLink to="/forgot-password" size="sm">
              {t('resetPassword.requestAgain')}
            </RouterLink>
          )}
          <PasswordInput
            label={t('resetPassword.password')}
            name="new-password"
            autoComplete="new-password"
            required
            minLength={minLength}
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            error={passwordError}
          />
          <PasswordInput
            label={t('resetPassword.confirm')}
            name="confirm-password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(event) => setConfirm(event.currentTarget.value)}
            error={confirmError}
          />
          <Button type="submit" fullWidth size="md" loading={reset.isPending}>
            {t('resetPassword.submit')}
          </Button>
        </Stack>
      </form>
    );
  }

  return (
    <AuthFrame title={t('resetPassword.title')}>
      {body}
      <RouterLink to="/login" size="sm" ta="center">
        {t('common.backToLogin')}
      </RouterLink>
    </AuthFrame>
  );
}
