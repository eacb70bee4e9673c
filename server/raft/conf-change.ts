// Membership changes: their byte encoding inside 'conf-change' entries, and how one change
// turns a configuration into the next (single-server changes, Raft dissertation 4.1).

import { assert } from '../util/assert';
import type { ConfChange, ConfChangeType, ConfState, NodeId } from './types';

/** Layout: magic, version, type code, node id as two big-endian uint32 (high, low). */
const CONF_CHANGE_MAGIC = 0x43; // 'C'
const CONF_CHANGE_VERSION = 1;
const CONF_CHANGE_BYTES = 11;
const UINT32_RANGE = 0x1_0000_0000;

const TYPE_TO_CODE: Readonly<Record<ConfChangeType, number>> = {
  'add-learner': 1,
  'promote-learner': 2,
  'remove-node': 3,
};
const CODE_TO_TYPE: readonly (ConfChangeType | undefined)[] = [
  undefined,
  'add-learner',
  'promote-learner',
  'remove-node',
];

export function isValidNodeId(id: number): boolean {
  return Number.isSafeInteger(id) && id > 0;
}

export function encodeConfChange(change: ConfChange): Uint8Array {
  assert(isValidNodeId(change.nodeId), `conf change node id must be a positive integer: ${change.nodeId}`);
  const code = TYPE_TO_CODE[change.type];
  assert(code !== undefined, `unknown conf change type ${String(change.type)}`);
  const bytes = new Uint8Array(CONF_CHANGE_BYTES);
  const view = new DataView(bytes.buffer);
  bytes[0] = CONF_CHANGE_MAGIC;
  bytes[1] = CONF_CHANGE_VERSION;
  bytes[2] = code;
  view.setUint32(3, Math.floor(change.nodeId / UINT32_RANGE));
  view.setUint32(7, change.nodeId % UINT32_RANGE);
  return bytes;
}

/** Decodes the data of a 'conf-change' entry. The core wrote those bytes itself, so a
 *  malformed input is a broken invariant (a corrupt log) and throws AssertionError. */
export function decodeConfChange(bytes: Uint8Array): ConfChange {
  assert(bytes.length === CONF_CHANGE_BYTES, `conf change must be ${CONF_CHANGE_BYTES} bytes, got ${bytes.length}`);
  assert(bytes[0] === CONF_CHANGE_MAGIC && bytes[1] === CONF_CHANGE_VERSION, 'conf change magic/version');
  const type = CODE_TO_TYPE[bytes[2] ?? 0];
  assert(type !== undefined, `unknown conf change type code ${bytes[2] ?? -1}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nodeId = view.getUint32(3) * UINT32_RANGE + view.getUint32(7);
  assert(isValidNodeId(nodeId), `conf change node id out of range: ${nodeId}`);
  return { type, nodeId };
}

export type ConfChangeOutcome =
  | { readonly ok: true; readonly conf: ConfState }
  | { readonly ok: false; readonly problem: string };

/** The configuration after `change`, or why the change is invalid in `conf`. */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfChangeOutcome {
  const id = change.nodeId;
  const isVoter = conf.voters.includes(id);
  const isLearner = conf.learners.includes(id);
  switch (change.type) {
    case 'add-learner':
      if (isVoter || isLearner) return { ok: false, problem: `node ${id} is already a member` };
      return { ok: true, conf: { voters: conf.voters, learners: [...conf.learners, id] } };
    case 'promote-learner':
      if (!isLearner) return { ok: false, problem: `node ${id} is not a learner` };
      return {
        ok: true,
        conf: { voters: [...conf.voters, id], learners: conf.learners.filter((l) => l !== id) },
      };
    case 'remove-node':
      if (!isVoter && !isLearner) return { ok: false, problem: `node ${id} is not a member` };
      if (isVoter && conf.voters.length === 1) return { ok: false, problem: `node ${id} is the last voter` };
      return {
        ok: true,
        conf: { voters: conf.voters.filter((v) => v !== id), learners: conf.learners.filter((l) => l !== id) },
      };
  }
}

/** Checks the shape of a configuration: positive ids, no duplicates, voters and learners disjoint. */
export function checkConfState(conf: ConfState): string | null {
  const seen = new Set<NodeId>();
  for (const id of [...conf.voters, ...conf.learners]) {
    if (!isValidNodeId(id)) return `invalid node id ${id}`;
    if (seen.has(id)) return `node ${id} appears twice`;
    seen.add(id);
  }
  return null;
}
