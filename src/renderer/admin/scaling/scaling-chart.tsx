// The scaling timeline as a uPlot canvas chart: instances and sessions as steps, a vertical line
// per marker (autoscale action, protection, scheduled event) in its kind's colour. uPlot is a
// small canvas chart; this wraps it for React and sizes it to its box with a ResizeObserver. The
// table beside it (why-dialog.tsx) says the same in words for screen readers and keyboards.
import { tokens } from '@fluentui/react-components';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ScalingHistory } from '../../../common/scaling-models';
import { MARKER_COLORS, chartColumns, chartSummary } from './scaling-chart-data';

const HEIGHT = 220;

export function ScalingChart({ history }: { history: ScalingHistory }) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const markers = history.markers.map((m) => ({
      x: Date.parse(m.time) / 1000,
      color: MARKER_COLORS[m.kind],
    }));
    const stepped = uPlot.paths.stepped!({ align: 1 });
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      scales: {
        x: { time: true, range: [Date.parse(history.from) / 1000, Date.parse(history.to) / 1000] },
        y: { range: (_u, _min, max) => [0, Math.max(2, Math.ceil(max) + 1)] },
      },
      axes: [{}, { label: 'count', incrs: [1, 2, 5, 10, 20, 50, 100] }],
      series: [
        {},
        { label: 'Instances', stroke: '#0f6cbd', width: 2, paths: stepped },
        { label: 'Sessions', stroke: '#107c10', width: 1.5, dash: [6, 3], paths: stepped },
      ],
      // The dialog draws its own legend (with the marker kinds), and the table says it in words.
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      hooks: {
        // Marker lines under the series, each in its kind's colour.
        drawClear: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.lineWidth = 2 * devicePixelRatio;
            for (const m of markers) {
              const x = u.valToPos(m.x, 'x', true);
              if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
              ctx.strokeStyle = m.color;
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
    const chart = new uPlot(options, chartColumns(history) as uPlot.AlignedData, el);
    const observer = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [history]);

  return (
    <div
      ref={box}
      role="img"
      aria-label={chartSummary(history)}
      data-testid="why-chart"
      style={{ width: '100%', minHeight: HEIGHT, color: tokens.colorNeutralForeground1 }}
    />
  );
}
