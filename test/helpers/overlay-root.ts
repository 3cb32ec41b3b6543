// A throwaway root for tests that run real useradd, mount and install scripts as root: a private
// mount namespace where /etc, /var and /usr/local are overlays (writes land in a temp folder),
// /run is a fresh tmpfs and /home a temp folder, so nothing changes on the machine. (Bind-mounting
// single files such as /etc/passwd does NOT isolate: shadow-utils writes /etc/passwd+ next to it
// and renames.) The script checks the isolation before it runs anything.

/** `sh setup.sh "<script>"` with VM_DIR set: builds the private view, then runs the script. */
export const OVERLAY_ROOT_SETUP = `#!/bin/sh
# Builds the private view, then runs "$1". Any failure before that stops everything:
# nothing may run against the real machine.
set -eu
D="$VM_DIR"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$D/etc.up,workdir=$D/etc.work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$D/var.up,workdir=$D/var.work" /var
mount -t overlay overlay -o "lowerdir=/usr/local,upperdir=$D/usrlocal.up,workdir=$D/usrlocal.work" /usr/local
mount -t tmpfs -o mode=0755 tmpfs /run
mount --bind "$D/home" /home
[ "$(findmnt -n -o FSTYPE /etc)" = overlay ] || { echo "isolation failed: /etc is not an overlay" >&2; exit 99; }
[ "$(findmnt -n -o FSTYPE /usr/local)" = overlay ] || { echo "isolation failed: /usr/local" >&2; exit 99; }
[ "$(findmnt -n -o SOURCE /home)" != "" ] || { echo "isolation failed: /home" >&2; exit 99; }
set +e
exec sh -c "$1"
`;

/** The folders OVERLAY_ROOT_SETUP expects under VM_DIR. */
export const OVERLAY_ROOT_DIRS = [
  'etc.up',
  'etc.work',
  'var.up',
  'var.work',
  'usrlocal.up',
  'usrlocal.work',
  'home',
] as const;

/** argv for execFile: a new mount namespace running the setup with `script`. */
export function overlayRootArgv(setupPath: string, script: string): [string, string[]] {
  return ['unshare', ['-m', '--propagation', 'private', '--', 'sh', setupPath, script]];
}
