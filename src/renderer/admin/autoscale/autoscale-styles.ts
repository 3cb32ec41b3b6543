// The autoscale editor's styles, one set for the dialog and its sections.
import { makeStyles, tokens } from '@fluentui/react-components';

export const useAutoscaleStyles = makeStyles({
  surface: { width: 'min(1100px, calc(100vw - 48px))', maxWidth: 'none' },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  heading: { margin: 0 },
  muted: { color: tokens.colorNeutralForeground3 },
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalM,
  },
  count: { width: '110px' },
  name: { minWidth: '220px', flex: '1 1 220px' },
  time: { width: '130px' },
  zone: { minWidth: '300px' },
  days: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  schedule: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  scheduleHead: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  spacer: { flex: '1 1 auto' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  wrap: { overflowWrap: 'anywhere', minWidth: 0 },
  error: { color: tokens.colorPaletteRedForeground1 },
});
