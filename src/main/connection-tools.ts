// What the tray needs from the core for Copy ssh command and Open in VS Code, as an interface the
// shell is handed (the core methods come from the VS Code work; until they are wired the items
// show greyed out).

export interface ConnectionTools {
  /** The ssh command line that reaches the connection's instance with the app's host-key checks. */
  sshCommand(connectionId: string): Promise<string>;
  /** Opens VS Code (Remote - SSH) on the connection's instance. */
  openInVsCode(connectionId: string): Promise<void>;
}
