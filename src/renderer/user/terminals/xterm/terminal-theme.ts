// xterm colour themes matching Fluent's light and dark themes, so the terminal is not a bright hole.
import type { ITheme } from '@xterm/xterm';

const dark: ITheme = {
  background: '#1b1b1b',
  foreground: '#e6e6e6',
  cursor: '#e6e6e6',
  cursorAccent: '#1b1b1b',
  selectionBackground: '#264f78',
  black: '#1b1b1b',
  red: '#f1707b',
  green: '#8ad17a',
  yellow: '#e5c07b',
  blue: '#6cb6ff',
  magenta: '#d49ef0',
  cyan: '#56d4dd',
  white: '#d4d4d4',
  brightBlack: '#8a8a8a',
  brightRed: '#ff8b94',
  brightGreen: '#a8e09a',
  brightYellow: '#f0d58c',
  brightBlue: '#91c9ff',
  brightMagenta: '#e2b8f5',
  brightCyan: '#7fe3ea',
  brightWhite: '#ffffff',
};

// Light colours are darker than the usual ANSI palette: yellow and cyan on white are unreadable.
const light: ITheme = {
  background: '#ffffff',
  foreground: '#1f1f1f',
  cursor: '#1f1f1f',
  cursorAccent: '#ffffff',
  selectionBackground: '#add6ff',
  black: '#1f1f1f',
  red: '#c4314b',
  green: '#107c10',
  yellow: '#8a6100',
  blue: '#0f6cbd',
  magenta: '#8b3fb0',
  cyan: '#00727c',
  white: '#6e6e6e',
  brightBlack: '#616161',
  brightRed: '#d13438',
  brightGreen: '#0b6a0b',
  brightYellow: '#986f0b',
  brightBlue: '#115ea3',
  brightMagenta: '#a53fc4',
  brightCyan: '#038387',
  brightWhite: '#242424',
};

export function terminalTheme(isDark: boolean): ITheme {
  return isDark ? dark : light;
}
