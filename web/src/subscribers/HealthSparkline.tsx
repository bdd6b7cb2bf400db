import { Box } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema.d.ts';
import { formatRate } from './format.ts';

type Hour = components['schemas']['SensorHealthHour'];

const WIDTH = 192;
const HEIGHT = 36;
/** A healthy sensor sends one heartbeat a minute. */
const FULL_HOUR = 60;

/**
 * A sensor's last 24 hours in a small SVG (no chart library): one bar per hour for the heartbeats
 * received (full height = 60), and a red line for the highest drop rate of each hour (full height = 10 %).
 */
export function HealthSparkline({ name, hours }: { name: string; hours: Hour[] }) {
  const { t } = useTranslation();
  const step = WIDTH / Math.max(1, hours.length);
  const beats = hours.reduce((sum, h) => sum + h.heartbeats, 0);
  const maxDrop = hours.reduce((max, h) => Math.max(max, h.maxDropRate ?? 0), 0);
  const dropY = (rate: number) => HEIGHT - Math.min(1, rate / 0.1) * (HEIGHT - 2) - 1;
  const points = hours.flatMap((h, i) => (h.maxDropRate === null ? [] : [`${(i + 0.5) * step},${dropY(h.maxDropRate)}`]));
  return (
    <Box component="span" style={{ display: 'inline-block', lineHeight: 0 }}>
      <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('operatorConsole.detail.healthLabel', { name, beats, drop: formatRate(maxDrop) })} data-testid="health-sparkline">
        <rect x={0} y={0} width={WIDTH} height={HEIGHT} fill="#f1f3f5" />
        {hours.map((h, i) => {
          const height = Math.min(1, h.heartbeats / FULL_HOUR) * (HEIGHT - 2);
          return <rect key={h.hour} x={i * step + 1} y={HEIGHT - height} width={Math.max(1, step - 2)} height={height} fill={h.heartbeats >= FULL_HOUR * 0.9 ? '#2f9e44' : h.heartbeats > 0 ? '#f08c00' : '#ced4da'} />;
        })}
        {points.length > 1 && <polyline points={points.join(' ')} fill="none" stroke="#c92a2a" strokeWidth={1.5} />}
        {points.length === 1 && <circle cx={points[0]!.split(',')[0]} cy={points[0]!.split(',')[1]} r={1.5} fill="#c92a2a" />}
      </svg>
    </Box>
  );
}
