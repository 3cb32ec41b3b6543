// The page shell: theme, then "connecting", a clear failure, or the app once the RPC link is up.
import {
  FluentProvider,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';
import { useEffect } from 'react';
import type { RpcClient } from '../common/rpc';
import { RpcContext } from './shared/rpc-context';
import { useLoad } from './shared/use-load';
import { usePrefersDark } from './shared/use-prefers-dark';
import { App } from './app';

const useStyles = makeStyles({
  centered: {
    backgroundColor: tokens.colorNeutralBackground1,
    height: '100%',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    padding: tokens.spacingHorizontalXXL,
    boxSizing: 'border-box',
  },
  failure: { maxWidth: '640px' },
});

export function Root({ connecting }: { connecting: Promise<RpcClient> }) {
  const styles = useStyles();
  const dark = usePrefersDark();
  const connection = useLoad(true, () => connecting, [connecting]);

  useEffect(() => {
    // Native parts (scrollbars, form controls) follow the theme too.
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [dark]);

  let body;
  if (connection.data) {
    body = (
      <RpcContext.Provider value={connection.data}>
        <App dark={dark} />
      </RpcContext.Provider>
    );
  } else if (connection.error !== undefined) {
    body = (
      <div className={styles.centered}>
        <MessageBar
          intent="error"
          layout="multiline"
          className={styles.failure}
          data-testid="app-connect-error"
        >
          <MessageBarBody>
            <MessageBarTitle>Cannot reach dsvm-pool</MessageBarTitle>
            {connection.error}
          </MessageBarBody>
        </MessageBar>
      </div>
    );
  } else {
    body = (
      <div className={styles.centered}>
        <Spinner label="Connecting to the app…" />
      </div>
    );
  }

  return (
    // No className here: Fluent copies the provider's classes onto every portal (tooltips,
    // dialogs), and a full-height class there would cover the page. styles.css sizes it.
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme}>{body}</FluentProvider>
  );
}
