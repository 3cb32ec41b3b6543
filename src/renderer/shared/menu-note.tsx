// A line of text inside a menu (what the notifications or updates menu says about its state): small,
// muted, wrapped to the menu's width; `error` shows it as a problem.
import { Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  note: {
    display: 'block',
    maxWidth: '320px',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    color: tokens.colorNeutralForeground2,
    whiteSpace: 'normal',
  },
  error: { color: tokens.colorPaletteRedForeground1 },
});

export function MenuNote(props: { children: ReactNode; error?: boolean; 'data-testid'?: string }) {
  const styles = useStyles();
  return (
    <Text
      size={200}
      className={mergeClasses(styles.note, props.error && styles.error)}
      {...(props.error ? { role: 'alert' } : {})}
      data-testid={props['data-testid']}
    >
      {props.children}
    </Text>
  );
}
