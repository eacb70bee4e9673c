// The multi-raft host with proposal timing: every proposal (client writes, session and meta
// commands alike) reports its latency and outcome to an observer. A subclass rather than a
// hook inside the host, so the host's loop stays free of metrics code; the cost is one
// performance.now() pair and one callback per proposal.

import { MultiRaftHost, type HostEvents, type HostOptions } from '../host/multi-raft-host';
import type { GroupId, HostStorage, HostTransport } from '../host/ports';
import { CorralError } from '../util/errors';

export interface ProposalObserver {
  /** `failureCode` is null when the proposal committed and applied. */
  recordProposal(groupId: GroupId, durationMs: number, failureCode: string | null): void;
}

export class ObservedHost extends MultiRaftHost {
  constructor(
    private readonly observer: ProposalObserver,
    options: HostOptions,
    storage: HostStorage,
    transport: HostTransport,
    events: HostEvents = {},
  ) {
    super(options, storage, transport, events);
  }

  override async propose(groupId: GroupId, data: Uint8Array): Promise<{ index: number; result: unknown }> {
    const startMs = performance.now();
    try {
      const outcome = await super.propose(groupId, data);
      this.observer.recordProposal(groupId, performance.now() - startMs, null);
      return outcome;
    } catch (error) {
      // 'not-leader' is a routing answer, not a failed proposal: the API layer forwards it.
      const code = CorralError.from(error).code;
      if (code !== 'not-leader') this.observer.recordProposal(groupId, performance.now() - startMs, code);
      throw error;
    }
  }
}
