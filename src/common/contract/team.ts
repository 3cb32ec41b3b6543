// The team and the share (DESIGN.md §7): the members in the share's registry (.pool/users.json),
// whether the share is mounted and linked on an instance, and the share's usage and quota.
import { z } from 'zod';
import type { ShareCheck, StorageInfo, TeamInfo } from '../models';
import { id, method, safeText } from './define';

export const teamMethods = {
  'team.list': method(
    z.object({ poolId: id('poolId') }).strict(),
    "The pool's team: the members in its share's registry (.pool/users.json).",
  ).returns<TeamInfo>(),

  'team.add': method(
    z
      .object({
        poolId: id('poolId'),
        name: safeText().max(64, 'must be at most 32 characters'),
        sshKeys: z
          .array(z.string().max(16_384, 'a key line is at most 16,384 characters'))
          .max(64, 'at most 64 keys per member'),
        admin: z.boolean().optional(),
        /** Replace the member of the same name (edit) instead of refusing. */
        replace: z.boolean().optional(),
      })
      .strict(),
    'Adds (or, with replace, edits) a member; within one agent cycle they can sign in on every VM.',
  ).returns<TeamInfo>(),

  'team.remove': method(
    z.object({ poolId: id('poolId'), name: z.string().max(64) }).strict(),
    'Removes a member: the agents lock their account and remove their keys; their files stay.',
  ).returns<TeamInfo>(),

  'share.check': method(
    z.object({ connectionId: id('connectionId') }).strict(),
    'Whether the share is mounted on the connected instance and ~/notebooks/remote points at your folder.',
  ).returns<ShareCheck>(),

  'share.fix': method(
    z.object({ connectionId: id('connectionId') }).strict(),
    "Asks the instance's agent to re-apply now (mount, links), then checks again.",
  ).returns<ShareCheck>(),

  'storage.info': method(
    z.object({ poolId: id('poolId') }).strict(),
    "The pool's share: usage, quota and each member's folder size.",
  ).returns<StorageInfo>(),

  'storage.setQuota': method(
    z
      .object({
        poolId: id('poolId'),
        quotaGiB: z
          .number()
          .int('quota: a whole number of GiB')
          .min(1, 'quota: at least 1 GiB')
          .max(102_400, 'quota: at most 102,400 GiB (100 TiB)'),
      })
      .strict(),
    "Sets the share's quota (GiB).",
  ).returns<StorageInfo>(),
} as const;
