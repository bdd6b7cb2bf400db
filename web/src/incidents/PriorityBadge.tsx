import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { priorityColor, priorityTextColor, statusColor, type IncidentPriority, type IncidentStatus } from './incidentModel.ts';

/** "P1 緊急": the priority in words as well as colour. */
export function PriorityBadge({ priority }: { priority: IncidentPriority }) {
  const { t } = useTranslation();
  return (
    <Badge color={priorityColor[priority]} c={priorityTextColor[priority]} variant="filled" radius="sm" style={{ flexShrink: 0, width: 'max-content', maxWidth: 'none' }}>
      {t('incidents.priorityLabel', { priority, name: t(`incidents.priority.${priority}`) })}
    </Badge>
  );
}

export function StatusBadge({ status }: { status: IncidentStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColor[status]} variant="light" radius="sm" style={{ flexShrink: 0, width: 'max-content', maxWidth: 'none' }}>
      {t(`incidents.status.${status}`)}
    </Badge>
  );
}
