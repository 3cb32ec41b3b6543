// The ssh-hosts pool editor's Shared storage section as typed, and the share it becomes for
// `pools.saveSshHosts`.
import type { PoolInfo, SshPoolShare } from '../../../common/models';

/** The Shared storage section as typed; `none`: the pool has no share. */
export interface ShareDraft {
  protocol: 'none' | SshPoolShare['protocol'];
  source: string;
  mountPoint: string;
  account: string;
}

export const NO_SHARE: ShareDraft = { protocol: 'none', source: '', mountPoint: '', account: '' };

export const SOURCE_PLACEHOLDER: Record<SshPoolShare['protocol'], string> = {
  nfs: 'nas.lab.example.org:/export/team',
  bind: '/srv/team (a folder on every host)',
  smb: '//account.file.core.windows.net/share',
};

export function shareDraftOf(pool?: PoolInfo): ShareDraft {
  const share = pool?.sshShare;
  if (!share) return NO_SHARE;
  return {
    protocol: share.protocol,
    source: share.source,
    mountPoint: share.mountPoint ?? '',
    account: share.account ?? '',
  };
}

/** What `pools.saveSshHosts` takes; blank optional fields are left out (the agent's defaults). */
export function shareOf(draft: ShareDraft): SshPoolShare | undefined {
  if (draft.protocol === 'none') return undefined;
  const share: SshPoolShare = { protocol: draft.protocol, source: draft.source.trim() };
  if (draft.mountPoint.trim()) share.mountPoint = draft.mountPoint.trim();
  if (draft.protocol === 'smb' && draft.account.trim()) share.account = draft.account.trim();
  return share;
}
