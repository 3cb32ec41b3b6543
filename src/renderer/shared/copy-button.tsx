// A Copy button that says "Copied" for a moment, or why copying failed, right where it was pressed.
import { Button, Tooltip, type ButtonProps } from '@fluentui/react-components';
import { Checkmark16Regular, Copy16Regular, ErrorCircle16Regular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';

export interface CopyButtonProps {
  /** What to copy; read when pressed. */
  text: string | (() => string);
  /** Names what is copied, for screen readers and the tooltip, e.g. "the Jupyter address". */
  what: string;
  size?: ButtonProps['size'];
  appearance?: ButtonProps['appearance'];
  /** Show "Copy" next to the icon (default), or the icon only. */
  iconOnly?: boolean;
  /** The button's text instead of "Copy", e.g. "Copy as text". */
  label?: string;
  'data-testid'?: string;
}

export function CopyButton(props: CopyButtonProps) {
  const { text, what, size = 'small', appearance = 'secondary', iconOnly = false } = props;
  const [result, setResult] = useState<'copied' | 'failed'>();

  useEffect(() => {
    if (!result) return;
    const timer = setTimeout(() => setResult(undefined), 2000);
    return () => clearTimeout(timer);
  }, [result]);

  const copy = () => {
    const value = typeof text === 'function' ? text() : text;
    // The clipboard needs a secure context: Electron's page and 127.0.0.1 both are one.
    if (!navigator.clipboard) {
      setResult('failed');
      return;
    }
    navigator.clipboard.writeText(value).then(
      () => setResult('copied'),
      () => setResult('failed'),
    );
  };

  const label =
    result === 'copied'
      ? 'Copied'
      : result === 'failed'
        ? 'Could not copy: select it'
        : (props.label ?? 'Copy');
  const icon =
    result === 'copied' ? (
      <Checkmark16Regular />
    ) : result === 'failed' ? (
      <ErrorCircle16Regular />
    ) : (
      <Copy16Regular />
    );
  return (
    <Tooltip content={result ? label : `Copy ${what}`} relationship="description">
      <Button
        size={size}
        appearance={appearance}
        icon={icon}
        aria-label={iconOnly ? `Copy ${what}` : undefined}
        aria-live="polite"
        data-testid={props['data-testid']}
        onClick={copy}
      >
        {iconOnly ? undefined : label}
      </Button>
    </Tooltip>
  );
}
