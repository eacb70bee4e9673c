// The adapter of each system, by name.

import type { SystemAdapter, SystemName } from './adapter';
import { corralAdapter } from './corral/corral-adapter';
import { etcdAdapter } from './etcd/etcd-adapter';
import { zookeeperAdapter } from './zookeeper/zk-adapter';

export function adapterFor(name: SystemName): SystemAdapter {
  switch (name) {
    case 'corral': return corralAdapter;
    case 'etcd': return etcdAdapter;
    case 'zookeeper': return zookeeperAdapter;
  }
}
