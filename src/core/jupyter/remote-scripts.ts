// The POSIX sh scripts JupyterService runs on an instance, and how their marked output is read.

/** Prefix of our own output lines, told apart from whatever profile scripts or Jupyter print. */
export const MARK = '@@dsvm-pool:';

/** The folder a started server serves, relative to the remote home. */
export const NOTEBOOK_DIR = 'notebooks';
/** Our folder on the instance (0700), relative to the remote home. */
export const STATE_DIR = '.local/state/dsvm-pool';
/** The started server's log (0600: Jupyter prints its URL with the token there). */
const LOG_NAME = 'jupyter.log';
export const LOG_FILE = `${STATE_DIR}/${LOG_NAME}`;
/** The token on its way from `saveToken` to `start`, which deletes it. */
const TOKEN_FILE = 'jupyter.token';

/**
 * Non-interactive SSH commands get sshd's bare PATH: no ~/.local/bin (pip --user) and no conda.
 * The user's own choices stay ahead of the Data Science VM's conda folders.
 */
const PATH_SETUP = 'PATH="$HOME/.local/bin:$PATH:/anaconda/bin:/opt/conda/bin"; export PATH';

const NO_JUPYTER = `if ! command -v jupyter >/dev/null 2>&1; then echo "${MARK}no-jupyter"; exit 0; fi`;

/** Quotes a value as one sh word: inside single quotes only the quote itself is special. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The exec command for a script. sshd hands commands to the user's login shell (bash, zsh,
 * fish…), so only one quoted word reaches it and the script itself always runs in POSIX sh.
 * Scripts are single lines joined with `;` (csh-family shells reject newlines inside quotes) and
 * hold no `\\` or `\'` (fish unescapes those even inside single quotes).
 */
export function shCommand(lines: readonly string[]): string {
  // `cmd &; next` is a syntax error: a background job is already terminated by its `&`.
  const script = lines.map((line, i) =>
    i === lines.length - 1 ? line : line.trimEnd().endsWith('&') ? `${line} ` : `${line}; `,
  );
  return `/bin/sh -c ${shQuote(script.join(''))}`;
}

function pidOf(pid: number): string {
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`not a process id: ${pid}`);
  return String(pid);
}

export const remoteScripts = {
  /** Every running server the user's Jupyter knows of, newer `jupyter server` first. */
  list(): string {
    return shCommand([
      PATH_SETUP,
      NO_JUPYTER,
      `echo "${MARK}jupyter"`,
      // One JSON object per line each; the one a machine lacks just fails quietly.
      'jupyter server list --json 2>/dev/null',
      'jupyter notebook list --json 2>/dev/null',
      'exit 0',
    ]);
  },

  /**
   * Reads the token as one line from stdin into a 0600 file, for `start` to pick up. Run it with
   * execWithSecret (a pty: the echo goes off before it says `ready`). `read` and `printf` are
   * shell builtins, so the token is in no process's arguments, which every user of the VM can
   * read through `ps`. Starting Jupyter is a separate, pty-less exec: a job forked inside the pty
   * session would die in the hang-up when the session ends, before setsid could take it out.
   */
  saveToken(): string {
    return shCommand([
      `state="$HOME/${STATE_DIR}"`,
      'mkdir -p "$state" || exit 1',
      'chmod 700 "$state" || exit 1',
      'stty -echo 2>/dev/null',
      `echo "${MARK}ready"`,
      'IFS= read -r t || exit 1',
      `(umask 077; printf "%s\\n" "$t" > "$state/${TOKEN_FILE}") || exit 1`,
      `echo "${MARK}saved"`,
    ]);
  },

  /**
   * Starts a server in ~/notebooks on 127.0.0.1 only, detached from the SSH session, with the
   * token that `saveToken` left in JUPYTER_TOKEN: a process's environment is private to its user.
   */
  start(): string {
    return shCommand([
      PATH_SETUP,
      NO_JUPYTER,
      'bin=$(dirname "$(command -v jupyter)")',
      // `jupyter x` also finds jupyter-x next to itself, not only on PATH.
      'app=',
      'for a in notebook lab server; do if command -v "jupyter-$a" >/dev/null 2>&1 || [ -x "$bin/jupyter-$a" ]; then app=$a; break; fi; done',
      `if [ -z "$app" ]; then echo "${MARK}no-app"; exit 0; fi`,
      `dir="$HOME/${NOTEBOOK_DIR}"`,
      `state="$HOME/${STATE_DIR}"`,
      `log="$state/${LOG_NAME}"`,
      `tokenfile="$state/${TOKEN_FILE}"`,
      'JUPYTER_TOKEN=',
      'IFS= read -r JUPYTER_TOKEN < "$tokenfile" 2>/dev/null',
      `if [ -z "$JUPYTER_TOKEN" ]; then echo "${MARK}no-token"; exit 0; fi`,
      'rm -f "$tokenfile"',
      'export JUPYTER_TOKEN',
      'mkdir -p "$dir" || exit 1',
      // Only the log is private: a umask for Jupyter itself would make every notebook 0600.
      '(umask 077; : > "$log") || exit 1',
      'chmod 600 "$log" || exit 1',
      'rt=$(jupyter --runtime-dir 2>/dev/null)',
      'cd "$dir" || exit 1',
      // setsid: its own session, so neither the SSH hang-up nor a job-control group kill reaches it.
      // Jupyter refuses root without --allow-root; someone who signs in as root (a sandbox run by
      // root, an ssh-hosts machine) already holds the power that check guards.
      'root=',
      'if [ "$(id -u)" = 0 ]; then root=--allow-root; fi',
      'run=nohup',
      'if command -v setsid >/dev/null 2>&1; then run="setsid nohup"; fi',
      // Non-interactive sh has no job control, so the job is no group leader: setsid does not
      // fork, and `jupyter` execs `jupyter-$app`, so $! is the server's own pid.
      '$run jupyter "$app" --no-browser --ip=127.0.0.1 --port=8888 --port-retries=100 --notebook-dir="$dir" $root >>"$log" 2>&1 </dev/null &',
      `echo "${MARK}pid=$!"`,
      `echo "${MARK}app=$app"`,
      `echo "${MARK}dir=$dir"`,
      `echo "${MARK}runtime=$rt"`,
      `echo "${MARK}log=$log"`,
    ]);
  },

  /**
   * Is the started process alive, and its server info file (written once it listens), as one line.
   * Without a runtime folder, the list commands instead.
   */
  poll(pid: number, runtimeDir: string | undefined): string {
    const p = pidOf(pid);
    const files = runtimeDir
      ? [`${shQuote(runtimeDir)}/nbserver-${p}.json`, `${shQuote(runtimeDir)}/jpserver-${p}.json`]
      : [];
    return shCommand([
      PATH_SETUP,
      `if kill -0 ${p} 2>/dev/null; then echo "${MARK}alive"; else echo "${MARK}dead"; fi`,
      ...(runtimeDir
        ? // JSON strings hold no raw newlines, so dropping them keeps the object intact.
          [
            `for f in ${files.join(' ')}; do if [ -f "$f" ]; then tr -d "\\n" < "$f"; echo; fi; done`,
          ]
        : ['jupyter server list --json 2>/dev/null', 'jupyter notebook list --json 2>/dev/null']),
      'exit 0',
    ]);
  },

  tail(logPath: string, lines = 20): string {
    return shCommand([`tail -n ${Math.trunc(lines)} ${shQuote(logPath)} 2>/dev/null`, 'exit 0']);
  },

  kill(pid: number): string {
    return shCommand([`kill ${pidOf(pid)} 2>/dev/null`, 'exit 0']);
  },

  /** The instance's own addresses, for a Hub that listens on them but not on loopback. */
  addresses(): string {
    return shCommand(['hostname -I 2>/dev/null', 'exit 0']);
  },
};

/** `@@dsvm-pool:key=value` (or bare `@@dsvm-pool:key`) lines of an output, last one wins. */
export function parseMarkers(output: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.startsWith(MARK)) continue;
    const rest = line.slice(MARK.length);
    const eq = rest.indexOf('=');
    if (eq < 0) found.set(rest.trim(), '');
    else found.set(rest.slice(0, eq).trim(), rest.slice(eq + 1));
  }
  return found;
}
