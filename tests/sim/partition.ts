// Partition shapes, as sets of blocked directed links. Symmetric shapes block both
// directions; asymmetric ones block one (a node that can hear but not speak, or the reverse).

import type { NodeId } from '../../server/raft/types';
import { assert } from '../../server/util/assert';
import type { SeededRandom } from '../../server/util/random';

export type PartitionKind = 'isolate' | 'split' | 'bridge' | 'mute' | 'deafen';

export interface Partition {
  readonly kind: PartitionKind;
  /** Directed links that drop every message: [from, to]. */
  readonly blocked: readonly (readonly [NodeId, NodeId])[];
  readonly description: string;
}

function cut(sideA: readonly NodeId[], sideB: readonly NodeId[]): [NodeId, NodeId][] {
  const links: [NodeId, NodeId][] = [];
  for (const a of sideA) {
    for (const b of sideB) links.push([a, b], [b, a]);
  }
  return links;
}

/** `node` can neither send nor receive. */
export function isolate(node: NodeId, nodes: readonly NodeId[]): Partition {
  const others = nodes.filter((n) => n !== node);
  return { kind: 'isolate', blocked: cut([node], others), description: `isolate ${node}` };
}

/** Two random sides, cut from each other (one may be a majority). */
export function split(nodes: readonly NodeId[], random: SeededRandom): Partition {
  assert(nodes.length >= 2, 'split needs two nodes');
  const shuffled = shuffle(nodes, random);
  const sizeA = 1 + random.nextInt(shuffled.length - 1);
  const sideA = shuffled.slice(0, sizeA);
  const sideB = shuffled.slice(sizeA);
  return { kind: 'split', blocked: cut(sideA, sideB), description: `split [${sideA}] | [${sideB}]` };
}

/** Two sides that only one bridge node can talk to (Jepsen's "bridge"). */
export function bridge(nodes: readonly NodeId[], random: SeededRandom): Partition {
  assert(nodes.length >= 3, 'bridge needs three nodes');
  const shuffled = shuffle(nodes, random);
  const middle = shuffled[0];
  const rest = shuffled.slice(1);
  const sizeA = Math.max(1, Math.floor(rest.length / 2));
  const sideA = rest.slice(0, sizeA);
  const sideB = rest.slice(sizeA);
  return {
    kind: 'bridge',
    blocked: cut(sideA, sideB),
    description: `bridge [${sideA}] <${middle}> [${sideB}]`,
  };
}

/** Asymmetric: `node`'s outgoing messages are dropped; it still hears everyone. */
export function mute(node: NodeId, nodes: readonly NodeId[]): Partition {
  const blocked = nodes.filter((n) => n !== node).map((n) => [node, n] as const);
  return { kind: 'mute', blocked, description: `mute ${node}` };
}

/** Asymmetric: `node` hears nothing; its own messages still go out. */
export function deafen(node: NodeId, nodes: readonly NodeId[]): Partition {
  const blocked = nodes.filter((n) => n !== node).map((n) => [n, node] as const);
  return { kind: 'deafen', blocked, description: `deafen ${node}` };
}

export function shuffle<T>(items: readonly T[], random: SeededRandom): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = random.nextInt(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
