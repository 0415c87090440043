/** The operator service without the socket: the role only for an address someone signed up with, each real change told once. */
import test from 'ava';
import { operatorService } from '../../../cloud/services/operators.ts';
import { openStores } from '../../helpers/cloud-services.ts';

test('the role is granted only to an existing account, listed, told once per change, and taken back', async (t) => {
  const { users } = await openStores();
  const told: string[] = [];
  const operators = operatorService(users, (user, operator) => told.push(`${user.email} ${operator ? 'granted' : 'taken back'}`));
  t.like(await t.throwsAsync(operators.set('nobody@example.com', true)), { code: 'NOT_FOUND' });
  t.deepEqual(operators.list(), [], 'no role waits for whoever signs up with the address later');

  const ada = await users.create('ada@example.com', 'hash');
  t.like(await operators.set('ada@example.com', true), { id: ada.id, operator: true, changed: true });
  t.like(await operators.set('ada@example.com', true), { changed: false });
  t.deepEqual(
    operators.list().map((operator) => operator.email),
    ['ada@example.com'],
  );
  t.like(await operators.set('ada@example.com', false), { operator: false, changed: true });
  t.deepEqual(operators.list(), []);
  t.deepEqual(told, ['ada@example.com granted', 'ada@example.com taken back']);
});
