// The launcher of each system, by name.

import type { SystemName } from '../load/adapter';
import { corralLauncher } from './corral-system';
import { etcdLauncher } from './etcd-system';
import type { SystemLauncher } from './system';
import { zookeeperLauncher } from './zookeeper-system';

export function launcherFor(name: SystemName): SystemLauncher {
  switch (name) {
    case 'corral': return corralLauncher;
    case 'etcd': return etcdLauncher;
    case 'zookeeper': return zookeeperLauncher;
  }
}
