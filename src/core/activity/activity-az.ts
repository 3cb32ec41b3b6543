// The az equivalent of Activity…'s Save: the policy is a file on the pool's share, which
// `az storage file upload` can write; what az cannot do is say it (save the JSON to a file first).
import type { AzCommand } from '../../common/models';
import { ActivityPolicySchema, SHARE_LAYOUT } from '../../common/agent-protocol';
import { bad, command, hasControlCharacter } from '../azure/az/index';

export interface ActivityAzTarget {
  subscription: string;
  /** The storage account and file share of the pool. */
  account: string;
  share: string;
}

/** `az storage file upload` of `.pool/activity.json`, with the JSON to save as `activity.json`. */
export function azActivityPolicy(
  target: ActivityAzTarget,
  input: { idleMinutes: number; idleStop: boolean },
): AzCommand[] {
  const parsed = ActivityPolicySchema.safeParse({ version: 1, ...input });
  if (!parsed.success) {
    bad('Idle after (minutes): type a whole number of minutes from 5 to 1440 (24 hours).');
  }
  for (const [what, value] of Object.entries(target)) {
    if (!value || value.length > 128 || hasControlCharacter(value)) {
      bad(`Cannot build the az command: the pool's ${what} is not known.`);
    }
  }
  const json = JSON.stringify(parsed.data);
  return [
    command(
      [
        'az',
        'storage',
        'file',
        'upload',
        '--subscription',
        target.subscription,
        '--account-name',
        target.account,
        '--share-name',
        target.share,
        '--path',
        SHARE_LAYOUT.activityPolicy,
        '--source',
        'activity.json',
      ],
      `Writes the policy to ${target.account}/${target.share}/${SHARE_LAYOUT.activityPolicy}; every agent reads it at its next cycle. ` +
        `az cannot upload text it is given: save ${json} as activity.json first.`,
    ),
  ];
}
