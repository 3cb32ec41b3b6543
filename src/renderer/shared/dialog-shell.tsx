// The inside of the app's dialogs: title (with an optional icon), a column of content, an error bar
// and the action buttons, so every dialog looks and spaces alike.
import {
  DialogActions,
  DialogBody,
  DialogContent,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  title: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export interface DialogShellProps {
  title: ReactNode;
  /** Shown before the title, hidden from screen readers. */
  icon?: ReactNode;
  /** Shown under the content while set (e.g. the app's refusal). */
  error?: string;
  /** Wrap a long error over several lines instead of clipping it to one. */
  multilineError?: boolean;
  actions: ReactNode;
  children: ReactNode;
}

/** Goes inside a DialogSurface (or a form in it), which stays with the caller with its test id. */
export function DialogShell({
  title,
  icon,
  error,
  multilineError,
  actions,
  children,
}: DialogShellProps) {
  const styles = useStyles();
  return (
    <DialogBody>
      <DialogTitle>
        {icon ? (
          <span className={styles.title}>
            {icon}
            {title}
          </span>
        ) : (
          title
        )}
      </DialogTitle>
      <DialogContent className={styles.content}>
        {children}
        {error && (
          <MessageBar intent="error" layout={multilineError ? 'multiline' : undefined}>
            <MessageBarBody>{error}</MessageBarBody>
          </MessageBar>
        )}
      </DialogContent>
      <DialogActions>{actions}</DialogActions>
    </DialogBody>
  );
}
