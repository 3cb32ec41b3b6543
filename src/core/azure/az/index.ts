// The az room's public face: what every `az` command builder shares (argv + shell line, quoting,
// the checks of a target). The builders themselves live next to what they describe:
// pools/pool-az.ts and autoscale/autoscale-az-commands.ts.
export {
  type AzCommand,
  type PoolTarget,
  bad,
  checkCount,
  checkTarget,
  command,
  hasControlCharacter,
  scope,
  shellQuote,
} from './az-commands';
