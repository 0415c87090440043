/** @module The operator role, granted and taken back only through the cloud's control socket on its host: who holds it, and the rule that an address must belong to an account first. */
import { EdgeError } from '../../base/errors.ts';
import type { UserRecord } from '../data.ts';
import type { UserStore } from '../stores/users.ts';

export interface OperatorView {
  id: string;
  email: string;
  createdAt: string;
}

export interface OperatorChange extends OperatorView {
  operator: boolean;
  /** False when the account already was (or was not) an operator. */
  changed: boolean;
}

export interface OperatorService {
  list(): OperatorView[];
  /** Grants (`operator` true) or takes back the role of the account with address `email`, already lower case. */
  set(email: string, operator: boolean): Promise<OperatorChange>;
}

const view = (user: UserRecord): OperatorView => ({ id: user.id, email: user.email, createdAt: user.createdAt });

/**
 * The operator service over the user store; `onChange` hears of each real change, for the operator log.
 * @example await operators.set('ops@example.com', true)
 */
export function operatorService(
  users: Pick<UserStore, 'operators' | 'byEmail' | 'setOperator'>,
  onChange: (user: UserRecord, operator: boolean) => void = () => {},
): OperatorService {
  return {
    list: () => users.operators().map(view),
    async set(email, operator) {
      // Never held for an address nobody signed up with: the role must not wait for whoever signs up first.
      const user = users.byEmail(email);
      if (!user) throw new EdgeError('NOT_FOUND', `no account has the address ${email}: sign up with it first, then run this again`);
      const changed = await users.setOperator(user.id, operator);
      if (changed) onChange(user, operator);
      return { ...view(user), operator, changed };
    },
  };
}
