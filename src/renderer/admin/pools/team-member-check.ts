// Team…'s own check of a new member's name before it is sent: the agent's rules, no invisible or
// direction characters, and never the pool's admin account (the app says why).
import { memberNameProblem } from '../../../common/agent-protocol/names';
import { unsafeTextProblem } from '../../../common/user-text';
import { asSentence } from '../../shared/field-errors';

/** The sentence to show under the Name field, or undefined when the name can be a member. */
export function memberNameError(
  name: string,
  adminAccounts: readonly string[],
): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Give the member a name: their Linux user name, e.g. alice.';
  const problem = unsafeTextProblem(trimmed) ?? memberNameProblem(trimmed, adminAccounts);
  return problem ? asSentence(`The name ${problem}`) : undefined;
}
