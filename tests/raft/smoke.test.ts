import { Network } from './network';

test('smoke: elect and replicate', () => {
  const net = new Network({ voters: [1, 2, 3] });
  net.campaign(1);
  expect(net.leader()).toBe(1);
  expect(net.propose(1, 'a').ok).toBe(true);
  net.stabilize();
  for (const id of [1, 2, 3]) expect(net.texts(id)).toEqual(['a']);
});
