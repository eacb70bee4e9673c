// Hands every leadership this node holds to another voter before it stops, so that a
// planned restart costs clients a retry instead of an election timeout. For each group it
// leads it asks the core to transfer to the most caught-up, recently active voter; the core
// catches that voter up and sends it TimeoutNow. A transfer that has not landed after
// `retryMs` (the core abandons it after an election timeout) is retried, preferring another
// voter. Everything is bounded by `deadlineMs`; what could not move is reported, not hidden.

import type { GroupId } from '../host/ports';
import { NONE, type NodeId, type RaftStatus, type Role } from '../raft/types';
import { assert } from '../util/assert';
import type { Logger } from './logger';

/** The part of the host the drain uses (MultiRaftHost fits). */
export interface LeadershipHost {
  groupIds(): GroupId[];
  group(groupId: GroupId): { readonly role: Role; readonly leader: NodeId; readonly node: { status(): RaftStatus } } | undefined;
  transferLeadership(groupId: GroupId, to: NodeId): Promise<void>;
}

export interface DrainOptions {
  readonly host: LeadershipHost;
  readonly nodeId: NodeId;
  /** Absolute time (Date.now()) by which the drain gives up. */
  readonly deadlineMs: number;
  /** How often leadership is re-checked (one Raft tick is a good value). */
  readonly pollMs: number;
  /** A transfer not landed after this long is asked again (about one election timeout). */
  readonly retryMs: number;
  readonly logger: Logger;
}

export interface DrainResult {
  /** Groups this node led at the start and no longer leads. */
  readonly moved: GroupId[];
  /** Groups it still leads: no other voter, or no transfer landed in time. */
  readonly stuck: GroupId[];
}

interface PendingTransfer {
  readonly to: NodeId;
  readonly askedAtMs: number;
  readonly tried: ReadonlySet<NodeId>;
}

/** Picks the voter to hand leadership to: recently active first, then the highest match.
 *  Equally good voters are chosen by `spreadKey` (the group id), so that a node leading many
 *  groups spreads them over the others instead of piling them onto one. */
export function chooseTransferee(status: RaftStatus, self: NodeId, avoid: ReadonlySet<NodeId>, spreadKey = 0): NodeId {
  const voters = status.progress.filter((p) => !p.learner && p.id !== self && status.conf.voters.includes(p.id));
  if (voters.length === 0) return NONE;
  const fresh = voters.filter((p) => !avoid.has(p.id));
  const pool = fresh.length > 0 ? fresh : voters;
  const ranked = [...pool].sort((a, b) => Number(b.recentActive) - Number(a.recentActive) || b.match - a.match || a.id - b.id);
  const best = ranked.filter((p) => p.recentActive === ranked[0].recentActive && p.match === ranked[0].match);
  return best[Math.abs(spreadKey) % best.length].id;
}

export async function drainLeadership(options: DrainOptions): Promise<DrainResult> {
  assert(options.pollMs > 0 && options.retryMs >= options.pollMs, 'drain: pollMs must be positive and retryMs >= pollMs');
  const led = new Set(leadingGroups(options));
  const pending = new Map<GroupId, PendingTransfer>();
  const roundsMax = Math.ceil(Math.max(0, options.deadlineMs - Date.now()) / options.pollMs) + 1;
  for (let round = 0; round < roundsMax && Date.now() < options.deadlineMs; round++) {
    const leading = leadingGroups(options);
    for (const id of leading) led.add(id);
    if (leading.every((id) => soleVoter(options, id))) break;
    for (const groupId of leading) requestTransfer(options, groupId, pending);
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(options.pollMs, Math.max(1, options.deadlineMs - Date.now()))));
  }
  const stillLeading = leadingGroups(options);
  return { moved: [...led].filter((id) => !stillLeading.includes(id)), stuck: [...led].filter((id) => stillLeading.includes(id)) };
}

/** Groups whose core is leader now. The core, not the replica's role: the role follows the
 *  core one pass later, and a leader that just stepped down for the transferee has no
 *  progress to choose from any more. */
function leadingGroups(options: DrainOptions): GroupId[] {
  return options.host.groupIds().filter((id) => options.host.group(id)?.node.status().role === 'leader');
}

/** No other voter to hand the group to (a single-voter group). */
function soleVoter(options: DrainOptions, groupId: GroupId): boolean {
  const status = options.host.group(groupId)?.node.status();
  return status === undefined || status.conf.voters.every((id) => id === options.nodeId);
}

function requestTransfer(options: DrainOptions, groupId: GroupId, pending: Map<GroupId, PendingTransfer>): void {
  const previous = pending.get(groupId);
  const nowMs = Date.now();
  if (previous !== undefined && nowMs - previous.askedAtMs < options.retryMs) return;
  const status = options.host.group(groupId)?.node.status();
  if (status === undefined) return;
  const tried = new Set(previous?.tried ?? []);
  const to = chooseTransferee(status, options.nodeId, tried, groupId);
  if (to === NONE) return;
  tried.add(to);
  pending.set(groupId, { to, askedAtMs: nowMs, tried });
  options.logger.info('transferring leadership before shutdown', { group: groupId, to, attempt: tried.size });
  options.host.transferLeadership(groupId, to).catch((error: unknown) => {
    // Lost leadership meanwhile, or the node is stopping: the next round looks again.
    options.logger.debug('leadership transfer request refused', { group: groupId, to, error });
  });
}
