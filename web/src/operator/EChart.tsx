import { Box } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { echarts, type ChartOption } from './echarts.ts';

/**
 * One ECharts canvas that follows its box's width. Canvas text is invisible to screen readers, so
 * the box is an image labelled with the chart's title; the page shows the same figures as a table.
 */
export function EChart({ option, label, height = 280 }: { option: ChartOption; label: string; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!ref.current) return;
    const instance = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ animation: false, textStyle: { fontFamily: '"Noto Sans JP", sans-serif' }, ...option }, { notMerge: true });
  }, [option]);

  return <Box ref={ref} role="img" aria-label={label} h={height} w="100%" />;
}
