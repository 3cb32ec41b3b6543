// The identity room's public face: signing in to Azure, one TokenCredential for every client.
export { AzureCredential, type DeviceCodePrompt } from './azure-credential';
export { notSignedIn } from './sign-in-errors';
export { tokenCacheFiles, type TokenCacheProtector } from './azure-token-cache';
