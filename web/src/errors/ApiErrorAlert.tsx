import { Alert, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { errorMessage, showsRequestId } from './errorMessage.ts';

/** A failed call, said in the reader's language (role="alert", so screen readers announce it). */
export function ApiErrorAlert({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  if (!error) return null;
  return (
    <Alert color="red" variant="light" role="alert" data-testid="error-alert">
      <Text size="sm">{errorMessage(error, t, i18n.language)}</Text>
      {showsRequestId(error) && (
        <Text size="xs" mt={4}>
          {t('common.requestId', { requestId: error.requestId })}
        </Text>
      )}
    </Alert>
  );
}
