import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema.d.ts';
import { ApiError } from '../api/apiError.ts';
import { AuthFrame } from './AuthFrame.tsx';
import { PasswordForm } from './PasswordForm.tsx';
import { TotpStep } from './TotpStep.tsx';
import { TotpSetupStep } from './TotpSetupStep.tsx';
import { signedIn } from './session.ts';

type LoginResponse = components['schemas']['LoginResponse'];
type SecondStep = Exclude<LoginResponse, { status: 'authenticated' }>;

/**
 * Sign-in as a small state machine: the password first, then (for accounts that need it) the
 * authenticator code, set up on first use. The challenge token links the two steps.
 */
export function LoginPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<SecondStep | null>(null);
  const [expired, setExpired] = useState(false);

  function onResponse(response: LoginResponse) {
    if (response.status === 'authenticated') {
      signedIn(queryClient, response.session);
      return;
    }
    setExpired(false);
    setStep(response);
  }

  // An expired or exhausted challenge can only be renewed with the password.
  function onTotpError(error: unknown): boolean {
    if (error instanceof ApiError && error.code === 'unauthenticated') {
      setStep(null);
      setExpired(true);
      return true;
    }
    return false;
  }

  const restart = () => setStep(null);

  if (step?.status === 'totp_setup_required') {
    return (
      <AuthFrame title={t('totpSetup.title')}>
        <TotpSetupStep setup={step} onResponse={onResponse} onError={onTotpError} onRestart={restart} />
      </AuthFrame>
    );
  }
  if (step?.status === 'totp_required') {
    return (
      <AuthFrame title={t('totp.title')}>
        <TotpStep challenge={step.challenge} onResponse={onResponse} onError={onTotpError} onRestart={restart} />
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title={t('login.title')}>
      <PasswordForm onResponse={onResponse} notice={expired ? t('totp.expired') : null} />
    </AuthFrame>
  );
}
