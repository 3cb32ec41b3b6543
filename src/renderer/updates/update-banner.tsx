// A slim bar under the header while an update is on offer, downloading, ready or failed; "Later"
// hides it until the next step. The Updates menu in the header always has the same actions.
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { updateBanner } from './update-banner-model';
import type { Updates } from './use-updates';

const useStyles = makeStyles({
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  notes: {
    whiteSpace: 'pre-wrap',
    maxHeight: '6em',
    overflowY: 'auto',
    color: tokens.colorNeutralForeground2,
  },
  progress: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  bar: { flex: '1 1 auto', minWidth: '160px', maxWidth: '360px' },
});

export function UpdateBanner({ updates }: { updates: Updates }) {
  const styles = useStyles();
  const [hidden, setHidden] = useState<string>();
  const model = updateBanner(updates.status);

  if (updates.error) {
    return (
      <MessageBar intent="error" data-testid="update-error">
        <MessageBarBody>
          <MessageBarTitle>Updates</MessageBarTitle>
          {updates.error}
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={updates.clearError}>Dismiss</Button>
        </MessageBarActions>
      </MessageBar>
    );
  }
  if (!model || model.key === hidden) return null;
  return (
    <MessageBar intent={model.intent} data-testid="update-banner" aria-live="polite">
      <MessageBarBody className={styles.body}>
        <div>
          <MessageBarTitle>{model.title}</MessageBarTitle>
          {model.body}
        </div>
        {model.progress && (
          <div className={styles.progress}>
            <ProgressBar
              className={styles.bar}
              value={model.progress.value}
              thickness="large"
              aria-label="Download progress"
            />
            <Text size={200} data-testid="update-progress">
              {model.progress.label}
            </Text>
          </div>
        )}
        {model.notes && (
          <Text size={200} className={styles.notes} data-testid="update-notes">
            {model.notes}
          </Text>
        )}
      </MessageBarBody>
      <MessageBarActions>
        {model.action && (
          <Button appearance="primary" onClick={() => updates.run(model.action!.kind)}>
            {model.action.label}
          </Button>
        )}
        <Button onClick={() => setHidden(model.key)}>
          {model.intent === 'success' && !model.action ? 'OK' : 'Later'}
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
