// What a namespace VM's "image" has beyond the host's /usr (written into its /usr overlay): a
// mount.cifs stand-in, since a test namespace has neither an SMB server nor the cifs module, and,
// for an image without Node.js, whiteouts that hide the host's node. See README.md beside.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';

/** A share the VM's mount.cifs knows: `//<account>.file.core.windows.net/<share>` → a folder. */
export interface SmbShareStandIn {
  /** `//account.file.core.windows.net/share` (compared without regard to case). */
  source: string;
  /** The real folder of the share (the Azure Files emulator's data folder). */
  dir: string;
  /** The account's keys: the credentials file must hold one of them. */
  keys: string[];
}

/** The table the stand-in reads: `<source>\t<dir>\t<sha256 of key>,<…>` per line (no key in it). */
export function cifsTable(shares: SmbShareStandIn[]): string {
  const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
  return shares
    .map((s) => `${s.source.toLowerCase()}\t${s.dir}\t${s.keys.map(sha256).join(',')}\n`)
    .join('');
}

/**
 * `/usr/sbin/mount.cifs` of the VM image, as `mount -t cifs <source> <dir> -o <options>` runs
 * it. It checks what Azure Files would (the share exists, the credentials file holds one of the
 * account's keys: mount error(2)/(13) otherwise, exit 32 as mount.cifs), bind-mounts the share's
 * folder (or a folder below it), and gives the mounted folder the uid, gid and dir_mode the
 * options ask for: with a key, SMB stores no owners and every mount shows its own.
 */
export function cifsStandIn(table: string): string {
  return `#!/bin/sh
# mount.cifs stand-in of the Azure emulator's namespace VMs (test/emulators/vm/vm-image.ts).
TABLE='${table}'
src=$1
dst=$2
shift 2
opts=
while [ $# -gt 0 ]; do
  case "$1" in
    -o) opts=$2; shift 2 ;;
    -o*) opts=\${1#-o}; shift ;;
    *) shift ;;
  esac
done
cred= uid= gid= dmode= ro=
old_ifs=$IFS
IFS=,
for o in $opts; do
  case "$o" in
    credentials=*) cred=\${o#credentials=} ;;
    uid=*) uid=\${o#uid=} ;;
    gid=*) gid=\${o#gid=} ;;
    dir_mode=*) dmode=\${o#dir_mode=} ;;
    ro) ro=1 ;;
  esac
done
IFS=$old_ifs
fail() { echo "mount error($1): $2" >&2; echo "Refer to the mount.cifs(8) manual page (e.g. man mount.cifs) and kernel log messages (dmesg)" >&2; exit 32; }
share=$(printf '%s' "$src" | cut -d/ -f1-4)
rest=\${src#"$share"}
want=$(printf '%s' "$share" | tr 'A-Z' 'a-z')
base= hashes=
tab=$(printf '\\t')
if [ -f "$TABLE" ]; then
  while IFS="$tab" read -r s d h; do
    if [ "$s" = "$want" ]; then base=$d; hashes=$h; fi
  done < "$TABLE"
fi
[ -n "$base" ] || fail 2 "No such file or directory"
[ -n "$cred" ] && [ -r "$cred" ] || fail 13 "Permission denied"
password=$(sed -n 's/^password=//p' "$cred" | head -n 1)
hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
case ",$hashes," in *",$hash,"*) ;; *) fail 13 "Permission denied" ;; esac
folder=$base$rest
[ -d "$folder" ] || fail 2 "No such file or directory"
mount --bind "$folder" "$dst" || exit 32
if [ -n "$ro" ]; then mount -o remount,bind,ro "$dst" || exit 32; fi
if [ -z "$ro" ]; then
  if [ -n "$uid" ]; then chown "$uid\${gid:+:$gid}" "$folder"; fi
  if [ -n "$dmode" ]; then chmod "$dmode" "$folder"; fi
fi
exit 0
`;
}

/**
 * The host's Node.js, as paths a VM sees (the file itself, and `node` where PATH finds it), so
 * that an image "without Node.js" can hide them with whiteouts.
 */
export function hostNodePaths(execPath = process.execPath): string[] {
  const paths = new Set<string>([execPath, realpathSync(execPath)]);
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/sbin']) {
    for (const name of ['node', 'nodejs']) {
      try {
        realpathSync(`${dir}/${name}`);
        paths.add(`${dir}/${name}`);
      } catch {
        // not there
      }
    }
  }
  return [...paths].map((p) => p.replace(/^\/bin\//, '/usr/bin/'));
}
