// Says the page lost its link to the app, instead of leaving a UI that silently stopped working.
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from '@fluentui/react-components';
import { ArrowClockwise16Regular } from '@fluentui/react-icons';

export function ConnectionLostBanner() {
  return (
    <MessageBar intent="error" data-testid="connection-lost" layout="singleline">
      <MessageBarBody>
        <MessageBarTitle>Lost the connection to the app…</MessageBarTitle>
        Pools and terminals here no longer update. Reload the page once the app runs again.
      </MessageBarBody>
      <MessageBarActions>
        <Button icon={<ArrowClockwise16Regular />} onClick={() => window.location.reload()}>
          Reload
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
