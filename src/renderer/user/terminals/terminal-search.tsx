// The small find box over a terminal (Ctrl+Shift+F): Enter next, Shift+Enter previous, Escape closes.
import { Button, Input, Text, makeStyles, shorthands, tokens } from '@fluentui/react-components';
import {
  ArrowDown16Regular,
  ArrowUp16Regular,
  Dismiss16Regular,
  Search16Regular,
} from '@fluentui/react-icons';
import { useEffect, useRef, useState } from 'react';
import type { TerminalSession } from './xterm/terminal-session';

const useStyles = makeStyles({
  box: {
    position: 'absolute',
    top: tokens.spacingVerticalS,
    right: tokens.spacingHorizontalXL,
    // Above xterm's own layers (helpers, decorations, scrollbar).
    zIndex: 20,
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    padding: tokens.spacingHorizontalXS,
    backgroundColor: tokens.colorNeutralBackground1,
    ...shorthands.border(tokens.strokeWidthThin, 'solid', tokens.colorNeutralStroke1),
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow16,
  },
  input: { width: '200px' },
  count: {
    minWidth: '64px',
    textAlign: 'center',
    color: tokens.colorNeutralForeground3,
  },
});

export interface TerminalSearchProps {
  session: TerminalSession;
  /** Changes each time Ctrl+Shift+F is pressed, to bring the focus back to the box. */
  request: number;
  onClose: () => void;
}

export function TerminalSearch({ session, request, onClose }: TerminalSearchProps) {
  const styles = useStyles();
  const [text, setText] = useState('');
  const [results, setResults] = useState<{ index: number; count: number }>();
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, [request]);

  useEffect(() => {
    const sub = session.onDidChangeSearchResults(setResults);
    return () => sub.dispose();
  }, [session]);

  const next = () => text && session.findNext(text);
  const previous = () => text && session.findPrevious(text);

  let count = '';
  if (text && results) {
    if (results.count === 0) count = 'No results';
    else if (results.index < 0) count = `${results.count}+ results`;
    else count = `${results.index + 1} of ${results.count}`;
  }

  return (
    <div className={styles.box} role="search" data-testid="find-box">
      <Input
        ref={inputRef}
        size="small"
        className={styles.input}
        contentBefore={<Search16Regular />}
        placeholder="Find in terminal"
        aria-label="Find in terminal"
        value={text}
        onChange={(_, data) => {
          setText(data.value);
          if (data.value) session.findNext(data.value, true);
          else {
            session.clearSearch();
            setResults(undefined);
          }
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            if (event.shiftKey) previous();
            else next();
          } else if (event.key === 'Escape') {
            event.preventDefault();
            onClose();
          }
        }}
      />
      <Text size={200} className={styles.count} aria-live="polite">
        {count}
      </Text>
      <Button
        size="small"
        appearance="subtle"
        icon={<ArrowUp16Regular />}
        aria-label="Previous match (Shift+Enter)"
        onClick={previous}
      />
      <Button
        size="small"
        appearance="subtle"
        icon={<ArrowDown16Regular />}
        aria-label="Next match (Enter)"
        onClick={next}
      />
      <Button
        size="small"
        appearance="subtle"
        icon={<Dismiss16Regular />}
        aria-label="Close (Escape)"
        onClick={onClose}
      />
    </div>
  );
}
