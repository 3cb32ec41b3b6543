// What the tray needs from the core for Copy ssh command and Open in VS Code, as an interface the
// shell is handed (src/main/index.ts builds it from the core's openssh methods; without it the
// items show greyed out).

export interface ConnectionTools {
  /** The ssh command line that reaches the connection's instance with the app's host-key checks. */
  sshCommand(connectionId: string): Promise<string>;
  /** Opens VS Code (Remote - SSH) on the connection's instance. */
  openInVsCode(connectionId: string): Promise<void>;
}

/** The core's openssh methods, as the tray calls them. */
export interface OpenSshTools {
  sshCommand(connectionId: string): Promise<{ command: string }>;
  vsCodeLink(connectionId: string): Promise<{ url: string; included: boolean; configPath: string }>;
}

/**
 * The tray's tools from the core's: the command text for the clipboard, and VS Code opened only
 * through the external-URL allow-list. Without the Include in ~/.ssh/config VS Code cannot find
 * the alias, so the tray says where to add it instead of opening a window that fails.
 */
export function connectionToolsOf(
  openssh: OpenSshTools,
  openExternal: (url: string) => Promise<boolean>,
): ConnectionTools {
  return {
    sshCommand: async (connectionId) => (await openssh.sshCommand(connectionId)).command,
    openInVsCode: async (connectionId) => {
      const link = await openssh.vsCodeLink(connectionId);
      if (!link.included) {
        throw new Error(
          `VS Code finds hosts through ~/.ssh/config, which does not include the app's ` +
            `${link.configPath} yet: add the line from "OpenSSH and VS Code…" in the app's menu.`,
        );
      }
      if (!(await openExternal(link.url))) {
        throw new Error('VS Code did not open: is it installed with its Remote - SSH extension?');
      }
    },
  };
}
