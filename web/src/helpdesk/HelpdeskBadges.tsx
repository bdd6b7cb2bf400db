import { Badge, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { minutesUntil, nextDue, priorityColor, slaColor, splitMinutes, statusColor, type SlaState, type Ticket, type TicketPriority, type TicketStatus } from './helpdeskModel.ts';

const badgeStyle = { flexShrink: 0, width: 'max-content', maxWidth: 'none' } as const;

export function TicketPriorityBadge({ priority }: { priority: TicketPriority }) {
  const { t } = useTranslation();
  return (
    <Badge color={priorityColor[priority]} variant="filled" radius="sm" style={badgeStyle}>
      {t(`helpdesk.priority.${priority}`)}
    </Badge>
  );
}

export function TicketStatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColor[status]} variant="light" radius="sm" style={badgeStyle}>
      {t(`helpdesk.status.${status}`)}
    </Badge>
  );
}

/** "初回回答: 超過": which timer, in words and colour. */
export function SlaBadge({ timer, state }: { timer: 'firstResponse' | 'resolution'; state: SlaState }) {
  const { t } = useTranslation();
  return (
    <Badge color={slaColor[state]} variant={state === 'breached' ? 'filled' : 'light'} radius="sm" style={badgeStyle}>
      {t('helpdesk.slaBadge', { timer: t(`helpdesk.timer.${timer}`), state: t(`helpdesk.slaState.${state}`) })}
    </Badge>
  );
}

/** "あと 1時間20分" or "35分 超過". */
export function useDurationText(): (minutes: number) => string {
  const { t } = useTranslation();
  return (minutes) => {
    const { days, hours, minutes: m } = splitMinutes(minutes);
    const span = days > 0 ? t('helpdesk.spanDays', { days, hours }) : hours > 0 ? t('helpdesk.spanHours', { hours, minutes: m }) : t('helpdesk.spanMinutes', { minutes: m });
    return minutes < 0 ? t('helpdesk.overdueBy', { span }) : t('helpdesk.dueIn', { span });
  };
}

/** The next running deadline of a ticket with its SLA state, or that none runs. */
export function NextDue({ ticket, now }: { ticket: Ticket; now: number }) {
  const { t } = useTranslation();
  const duration = useDurationText();
  const due = nextDue(ticket);
  if (!due) return <Text size="sm" c="gray.7">{t('helpdesk.noTimer')}</Text>;
  const state = ticket.sla[due.timer];
  const minutes = minutesUntil(due.dueAt, now);
  return (
    <Group gap={6} wrap="nowrap">
      <SlaBadge timer={due.timer} state={state} />
      <Text size="sm" c={minutes < 0 ? 'red.8' : state === 'warning' ? 'orange.8' : undefined} fw={minutes < 0 ? 700 : undefined} style={{ whiteSpace: 'nowrap' }}>
        {duration(minutes)}
      </Text>
    </Group>
  );
}
