/** The fair-share policy on its own: equal shares while owners compete, a bounded line each, lines served in turn. */
import test from 'ava';
import { FairShares } from '../../runtime/fair-shares.ts';

const shares = (capacity: number, maxWaitingPerOwner = 10, maxWaiting = 100) => new FairShares<string>({ capacity, maxWaitingPerOwner, maxWaiting });

test('one owner alone may use all of the capacity; a second halves the share', (t) => {
  const fair = shares(4);
  for (let i = 0; i < 4; i++) {
    t.true(fair.mayStart('a'));
    fair.started('a');
  }
  t.false(fair.mayStart('a'), 'a is at the whole capacity');
  t.true(fair.wait('b', 'b1'));
  t.is(fair.share, 2);
  t.false(fair.mayStart('a'));
});

test('freed places go to the owner under its share first, not to the flood', (t) => {
  const fair = shares(2);
  fair.started('a');
  fair.started('a');
  fair.wait('a', 'a3');
  fair.wait('a', 'a4');
  fair.wait('b', 'b1');
  const order: string[] = [];
  fair.ended('a');
  fair.serve((item) => (order.push(item), true));
  t.deepEqual(order, ['b1'], 'a is still at its share of 1');
  fair.ended('a');
  fair.serve((item) => (order.push(item), true));
  t.deepEqual(order, ['b1', 'a3']);
});

test("an owner's full line refuses its next call, while another owner's call still waits", (t) => {
  const fair = shares(1, 2);
  fair.started('a');
  t.true(fair.wait('a', 'a2'));
  t.true(fair.wait('a', 'a3'));
  t.false(fair.wait('a', 'a4'));
  t.true(fair.wait('b', 'b1'));
});

test('all lines together are bounded too', (t) => {
  const fair = shares(1, 10, 2);
  fair.started('a');
  t.true(fair.wait('a', 'a2'));
  t.true(fair.wait('b', 'b1'));
  t.false(fair.wait('c', 'c1'));
  t.is(fair.waiting, 2);
});

test('lines are served in turn, one call per owner per round', (t) => {
  const fair = shares(4);
  for (let i = 0; i < 4; i++) fair.started('x');
  for (const item of ['a1', 'a2', 'a3']) fair.wait('a', item);
  for (const item of ['b1', 'b2', 'b3']) fair.wait('b', item);
  for (let i = 0; i < 4; i++) fair.ended('x');
  const order: string[] = [];
  fair.serve((item) => (order.push(item), true));
  t.deepEqual(order, ['a1', 'b1', 'a2', 'b2'], 'four places, two each, in turn; the rest wait');
  t.is(fair.waiting, 2);
});

test('a call that gives up leaves its line, and an owner with nothing running or waiting is forgotten', (t) => {
  const fair = shares(2);
  fair.started('a');
  fair.started('a');
  fair.wait('b', 'b1');
  t.is(fair.share, 1);
  t.true(fair.remove('b', 'b1'));
  t.false(fair.remove('b', 'b1'));
  t.is(fair.share, 2, 'b no longer counts');
  t.is(fair.waiting, 0);
});

test('a line whose head finds no place is passed over for the next owner', (t) => {
  const fair = shares(4);
  fair.wait('a', 'a1');
  fair.wait('b', 'b1');
  const order: string[] = [];
  fair.serve((item) => item !== 'a1' && (order.push(item), true));
  t.deepEqual(order, ['b1']);
  t.is(fair.waiting, 1);
});

test("within a line, a call that can start goes before one waiting for another app's room", (t) => {
  const fair = shares(4);
  fair.wait('a', 'app-a');
  fair.wait('a', 'app-b');
  const order: string[] = [];
  fair.serve((item) => item === 'app-b' && (order.push(item), true));
  t.deepEqual(order, ['app-b']);
  t.is(fair.waiting, 1);
});

test('full says when a call of an owner would be refused at once', (t) => {
  const fair = shares(1, 1);
  t.false(fair.full('a'), 'an owner with nothing running has room');
  fair.started('a');
  t.false(fair.full('a'), 'at its share, it may still wait');
  fair.wait('a', 'a2');
  t.true(fair.full('a'), 'its one place in line is taken');
  t.false(fair.full('b'));
});
