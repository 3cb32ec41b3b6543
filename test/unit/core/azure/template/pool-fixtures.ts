// Shared fixtures for the Azure pool tests: real OpenSSH public keys (made by node:crypto and ssh2,
// not by the code under test) and a valid set of pool parameters to vary.
import ssh2 from 'ssh2';
import { ed25519Line } from '../../../../helpers/ssh-keys';
import type { PoolParametersInput } from '../../../../../src/core/azure/template/pool-template-validation';

type KeyKind =
  'ed25519' | 'rsa-2048' | 'rsa-1024' | 'rsa-3072' | 'ecdsa-256' | 'ecdsa-384' | 'ecdsa-521';

const cache = new Map<KeyKind, string>();

/** An OpenSSH public key line of the given kind, made once per test run. */
export function publicKey(kind: KeyKind, comment = 'ana@laptop'): string {
  let line = cache.get(kind);
  if (!line) {
    const { utils } = ssh2;
    const [type, bits] = kind.split('-') as ['ed25519' | 'rsa' | 'ecdsa', string | undefined];
    line =
      type === 'ed25519'
        ? ed25519Line('')
        : utils
            .generateKeyPairSync(type, { bits: Number(bits) })
            .public.split(' ')
            .slice(0, 2)
            .join(' ');
    cache.set(kind, line);
  }
  return comment ? `${line} ${comment}` : line;
}

/** A valid wizard input; tests change one thing at a time. */
export function validInput(overrides: Record<string, unknown> = {}): PoolParametersInput {
  return {
    poolName: 'team-pool',
    location: 'westeurope',
    adminUsername: 'ana',
    sshPublicKey: publicKey('ed25519'),
    allowedSourceCidrs: ['203.0.113.0/24'],
    dnsLabel: 'team-pool-x1y2z3',
    ...overrides,
  } as PoolParametersInput;
}
