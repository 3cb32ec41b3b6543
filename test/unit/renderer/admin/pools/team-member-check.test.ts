// Team…'s check of a new member's name: the agent's rules, no hidden characters, never the pool's
// admin account or a system account — each said with why.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memberNameError } from '../../../../../src/renderer/admin/pools/team-member-check';

describe('memberNameError', () => {
  test("the pool's admin account is refused, saying why", () => {
    assert.equal(
      memberNameError('azureuser', ['azureuser']),
      "The name is the pool's admin account, which every VM has already — a member of that name would take over its keys and home; choose another name.",
    );
    assert.equal(memberNameError('azureuser', ['dsvmadmin']), undefined);
  });

  test('system accounts, bad shapes, hidden characters and empty names', () => {
    assert.match(memberNameError('root', [])!, /system account name on the VMs/);
    assert.match(memberNameError('Alice', [])!, /^The name must be 1 to 32 lowercase letters/);
    assert.match(memberNameError('al\u200Bice', [])!, /invisible character \(U\+200B\)/);
    assert.match(memberNameError('  ', [])!, /^Give the member a name/);
    assert.equal(memberNameError(' alice ', ['azureuser']), undefined);
  });
});
