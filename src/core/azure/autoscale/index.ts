// The autoscale room's public face: a pool's autoscale setting, read, checked, previewed as
// `az monitor autoscale` commands and saved.
export { AUTOSCALE_TIME_ZONES } from './autoscale-time-zones';
export { AzureAutoscale } from './azure-autoscale';
export { durationSeconds } from './autoscale-duration';
