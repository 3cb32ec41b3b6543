// The scaling room's public face: why an Azure pool did or did not scale — its Activity Log's
// autoscale actions, the agents' protections and scheduled events, and the "now" line.
export { AzureScaling, type ScalingReadInput } from './azure-scaling';
