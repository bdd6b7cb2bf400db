import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema.d.ts';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { RouterLink } from '../router/RouterLink.tsx';

type LoginResponse = components['schemas']['LoginResponse'];

interface PasswordFormProps {
  onResponse: (response: LoginResponse) => void;
  notice: string | null;
}

/** Email and password, the first step of signing in. */
export function PasswordForm({ onResponse, notice }: PasswordFormProps) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const login = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/auth/login', { body: { email: email.trim(), password } })),
    onSuccess: onResponse,
  });

  const emailError = touched && !email.trim() ? t('login.emailRequired') : null;
  const passwordError = touched && !password ? t('login.passwordRequired') : null;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!email.trim() || !password) return;
    login.mutate();
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <Text size="sm">{t('login.lead')}</Text>
        {notice && (
          <Alert color="yellow" variant="light" role="status">
            <Text size="sm">{notice}</Text>
          </Alert>
        )}
        <ApiErrorAlert error={login.error} />
        <TextInput
          label={t('login.email')}
          type="email"
          name="email"
          autoComplete="username"
          inputMode="email"
          required
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={emailError}
        />
        <PasswordInput
          label={t('login.password')}
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={passwordError}
        />
        <Button type="submit" fullWidth size="md" loading={login.isPending}>
          {t('login.submit')}
        </Button>
        <RouterLink to="/forgot-password" size="sm" ta="center">
          {t('login.forgotPassword')}
        </RouterLink>
      </Stack>
    </form>
  );
}
