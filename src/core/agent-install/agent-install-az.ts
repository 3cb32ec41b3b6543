// The `az` equivalent of Repair agent on an Azure pool: re-apply the scale set's dsvm-pool-agent
// CustomScript extension (resources/templates/pool.json) and roll the model out to the chosen
// instances, which re-runs the installer there. The extension's protectedSettings carry the
// storage key, so the command reads them from a file the admin makes: never a key in argv.
import type { AzCommand } from '../../common/models';
import { shellQuote, type PoolTarget } from '../azure/az/index';
import { poolResourceNames } from '../azure/template/index';

/** What the file named by `--protected-settings @…` holds (the placeholder the preview shows). */
export const PROTECTED_SETTINGS_FILE = 'dsvm-pool-agent-protected.json';

function command(args: string[], summary: string): AzCommand {
  return { args, shell: args.map(shellQuote).join(' '), summary };
}

function scope(target: PoolTarget): string[] {
  const args = ['--resource-group', target.resourceGroup];
  if (target.subscription !== undefined) args.push('--subscription', target.subscription);
  return args;
}

export function azRepairAgent(target: PoolTarget, instanceIds: readonly string[]): AzCommand[] {
  const vmss = poolResourceNames(target.poolName).vmss;
  const ids = [...new Set(instanceIds)];
  return [
    command(
      [
        'az', 'vmss', 'extension', 'set', ...scope(target),
        '--vmss-name', vmss,
        '--name', 'CustomScript',
        '--publisher', 'Microsoft.Azure.Extensions',
        '--version', '2.1',
        '--extension-instance-name', 'dsvm-pool-agent',
        '--protected-settings', `@${PROTECTED_SETTINGS_FILE}`,
        '--force-update',
      ], // prettier-ignore
      `Re-apply the agent's CustomScript extension on scale set ${vmss}. ${PROTECTED_SETTINGS_FILE} holds {"script": "<base64 of the pool's installer script with the storage key>"} (see resources/templates/pool.json): protected settings, never on the command line.`,
    ),
    command(
      [
        'az',
        'vmss',
        'update-instances',
        ...scope(target),
        '--name',
        vmss,
        '--instance-ids',
        ...ids,
      ],
      `Bring instance${ids.length > 1 ? 's' : ''} ${ids.join(', ')} to the latest model, which runs the extension (the agent installer) there again.`,
    ),
  ];
}
