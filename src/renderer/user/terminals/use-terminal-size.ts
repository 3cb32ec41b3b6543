// The current cols×rows of a terminal session, for the status bar.
import { useEffect, useState } from 'react';
import type { TerminalSession, TerminalSize } from './xterm/terminal-session';

export function useTerminalSize(session: TerminalSession | undefined): TerminalSize | undefined {
  const [size, setSize] = useState<TerminalSize | undefined>();
  useEffect(() => {
    if (!session) {
      setSize(undefined);
      return;
    }
    setSize({ cols: session.cols, rows: session.rows });
    const sub = session.onDidResize((next) => setSize(next));
    return () => sub.dispose();
  }, [session]);
  return size;
}
