// Routing: endpoints parsing, path -> namespace -> group (bit-for-bit the server's hash), and
// where each kind of call goes.

import { hashNamespace as serverHash, slotOf as serverSlotOf } from '../../server/meta/shard-map';
import { clusterViewOf, parseEndpoints, route, type ClusterView } from '../../client-sdk/routing';
import { checkRoutablePath, groupOfNamespace, hashNamespace, lockPath, namespaceOfPath, slotOfNamespace } from '../../client-sdk/shard-map';

test('endpoints: comma lists and arrays, default port, duplicates dropped', () => {
  expect(parseEndpoints('a:1, b:2,,a:1')).toEqual(['a:1', 'b:2']);
  expect(parseEndpoints(['10.0.0.1', 'host:99'])).toEqual(['10.0.0.1:7400', 'host:99']);
  expect(parseEndpoints('[::1]:5,[::1]')).toEqual(['[::1]:5', '[::1]:7400']);
  expect(parseEndpoints(' ')).toEqual([]);
});

test('the namespace hash is FNV-1a and matches the server for every namespace tried', () => {
  expect(hashNamespace('')).toBe(0x811c9dc5);
  expect(hashNamespace('a')).toBe(0xe40c292c);
  const names = ['services', 'jobs', 'nodes', 'x', 'ünïcødé', 'a-b_c.d', ...Array.from({ length: 500 }, (_, i) => `ns${i * 7919}`)];
  for (const name of names) {
    expect(hashNamespace(name)).toBe(serverHash(name));
    for (const slots of [1, 7, 256]) expect(slotOfNamespace(name, slots)).toBe(serverSlotOf(name, slots));
  }
});

test('paths: the namespace is the first segment; malformed paths are refused before any call', () => {
  expect(namespaceOfPath('/services/api/x')).toBe('services');
  expect(namespaceOfPath('/jobs')).toBe('jobs');
  for (const bad of ['', 'relative', '/', '/a/', '//a', '/a//b']) expect(() => checkRoutablePath(bad)).toThrow(/bad path/);
  expect(lockPath('jobs/x')).toBe('/jobs/x');
  expect(lockPath('/jobs/x')).toBe('/jobs/x');
  expect(groupOfNamespace([], 'a')).toBeUndefined();
  expect(groupOfNamespace([5], 'a')).toBe(5);
});

function view(leader: number): ClusterView {
  return clusterViewOf({
    cluster_id: 'c',
    node_id: 1,
    members: [1, 2, 3].map((id) => ({ id, address: `n${id}:1`, state: 'active', meta_voter: true })),
    groups: [
      { id: 0, voters: [1, 2, 3], learners: [], applied_voters: [1, 2, 3], applied_learners: [], epoch: 0, leader: 1, term: 1, commit: 1, applied: 1 },
      { id: 4, voters: [2, 3], learners: [1], applied_voters: [2, 3], applied_learners: [1], epoch: 1, leader, term: 1, commit: 1, applied: 1 },
    ],
    slot_count: 2,
    slots: [4, 4],
  });
}

test('writes go to the group leader; reads rotate over its replicas', () => {
  const v = view(3);
  expect(route(v, ['seed:1'], { namespace: 'jobs', role: 'leader', rotation: 0 }, new Set())).toEqual({ address: 'n3:1', groupId: 4 });
  const reads = [0, 1, 2, 3].map((rotation) => route(v, ['seed:1'], { namespace: 'jobs', role: 'replica', rotation }, new Set()).address);
  expect(reads).toEqual(['n2:1', 'n3:1', 'n1:1', 'n2:1']);
});

test('a failed leader is avoided; with no leader known a write goes to a replica (which forwards)', () => {
  expect(route(view(3), ['seed:1'], { namespace: 'jobs', role: 'leader', rotation: 0 }, new Set(['n3:1'])).address).toBe('n2:1');
  expect(route(view(0), ['seed:1'], { namespace: 'jobs', role: 'leader', rotation: 1 }, new Set()).address).toBe('n3:1');
  // Everything suspect: still an answer (the least bad one).
  expect(route(view(0), ['seed:1'], { namespace: 'jobs', role: 'replica', rotation: 0 }, new Set(['n1:1', 'n2:1', 'n3:1'])).address).toBe('n2:1');
});

test('without a view, or for cluster-wide calls, any known address will do', () => {
  expect(route(null, ['s1:1', 's2:1'], { namespace: 'jobs', role: 'leader', rotation: 1 }, new Set()).address).toBe('s2:1');
  expect(route(view(3), ['seed:1'], { namespace: null, role: 'leader', rotation: 3 }, new Set()).address).toBe('seed:1');
});
