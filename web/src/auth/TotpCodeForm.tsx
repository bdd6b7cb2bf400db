import { Button, Stack, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema.d.ts';
import { api, expectOk } from '../api/client.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';

type LoginResponse = components['schemas']['LoginResponse'];

export interface TotpCodeFormProps {
  challenge: string;
  submitLabel: string;
  onResponse: (response: LoginResponse) => void;
  /** Returns true when the parent has handled the error itself. */
  onError: (error: unknown) => boolean;
}

const sixDigits = /^\d{6}$/;

/** The 6-digit authenticator code, sent with the challenge from the password step. */
export function TotpCodeForm({ challenge, submitLabel, onResponse, onError }: TotpCodeFormProps) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const verify = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/auth/login/totp', { body: { challenge, code } })),
    onSuccess: onResponse,
    onError: (error) => {
      if (!onError(error)) setCode('');
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (sixDigits.test(code)) verify.mutate();
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        <ApiErrorAlert error={verify.error} />
        <TextInput
          label={t('totp.code')}
          name="code"
          autoComplete="one-time-code"
          inputMode="numeric"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          autoFocus
          size="lg"
          styles={{ input: { letterSpacing: '0.3em', fontVariantNumeric: 'tabular-nums' } }}
          value={code}
          // Authenticator apps show "123 456"; keep only the digits.
          onChange={(event) => setCode(event.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
          error={touched && !sixDigits.test(code) ? t('totp.codeFormat') : null}
        />
        <Button type="submit" fullWidth size="md" loading={verify.isPending}>
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
