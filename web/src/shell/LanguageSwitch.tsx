import { Button } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { currentLanguage, languages, setLanguage } from '../i18n/i18n.ts';

/**
 * 日本語 / English, each named in its own language so a reader finds theirs. Two toggle buttons
 * rather than a segmented control: that one measures the page on every first render to place its
 * indicator, a forced layout of whatever large table the page holds.
 */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const current = currentLanguage();
  return (
    <Button.Group aria-label={t('language.label')}>
      {languages.map((language) => (
        <Button key={language} size="compact-xs" variant={language === current ? 'filled' : 'default'} aria-pressed={language === current} onClick={() => void setLanguage(language)}>
          {t(`language.${language}`)}
        </Button>
      ))}
    </Button.Group>
  );
}
