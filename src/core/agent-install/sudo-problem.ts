// What a failed `sudo -n …` over SSH means for the person who asked, in a sentence they can act on:
// the app only ever runs sudo non-interactively, so a password prompt is a setup to change.
import { ErrorCode, RpcError } from '../../common/errors';

export interface SudoContext {
  /** The login user that ran sudo. */
  user: string;
  /** `host:port`, for messages. */
  where: string;
  /** What sudo was for, e.g. "install the agent". */
  purpose: string;
}

/**
 * The RpcError for a `sudo -n` that sudo itself refused (exit code and its output), or undefined
 * when sudo ran the command (whatever the command then did).
 */
export function sudoProblem(
  code: number | null,
  output: string,
  ctx: SudoContext,
): RpcError | undefined {
  const text = output.toLowerCase();
  if (
    code === 127 &&
    (/sudo: (command )?not found/.test(text) || /sudo: no such file/.test(text))
  ) {
    return new RpcError(
      ErrorCode.NotFound,
      `sudo is not installed on ${ctx.where}, and the app needs it to ${ctx.purpose}. Install sudo ` +
        `and give "${ctx.user}" passwordless sudo, then try again.`,
    );
  }
  if (code !== 1) return undefined;
  if (/a password is required|a terminal is required|askpass/.test(text)) {
    return new RpcError(
      ErrorCode.AuthFailed,
      `"${ctx.user}" on ${ctx.where} needs passwordless sudo for the app to ${ctx.purpose} ` +
        '(sudo asked for a password, which the app never types). Add a sudoers rule such as ' +
        `"${ctx.user} ALL=(ALL) NOPASSWD:ALL" (sudo visudo -f /etc/sudoers.d/${ctx.user}), or ` +
        'sign in as a user who has it.',
    );
  }
  if (/not in the sudoers file|is not allowed to (run|execute)|may not run sudo/.test(text)) {
    return new RpcError(
      ErrorCode.AuthFailed,
      `"${ctx.user}" on ${ctx.where} may not use sudo, which the app needs to ${ctx.purpose}. ` +
        `Give "${ctx.user}" passwordless sudo, or sign in as a user who has it.`,
    );
  }
  return undefined;
}
