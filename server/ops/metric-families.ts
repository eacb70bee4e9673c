// Every metric family Corral exports, in one table-like place so that docs/operations.md
// and the scrape test can be checked against it. Names follow Prometheus conventions:
// counters end in `_total`, durations are `_seconds`, sizes `_bytes`.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Latency buckets from 0.5 ms to 10 s: fsyncs and proposals on SSDs sit in the low ms. */
const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Entries per group per fsync: 1 when idle, hundreds under load (group commit). */
const ENTRIES_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

export function createFamilies(registry: Registry) {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers });
  return {
    nodeInfo: gauge('corral_node_info', 'Always 1; labels identify the node and its cluster', ['node', 'cluster']),
    draining: gauge('corral_node_draining', '1 while the node is shutting down and refuses new client requests', []),
    // ---- per group (label `group`)
    groupRole: gauge('corral_group_role', '1 for the role this replica has now (leader, follower, candidate, pre-candidate)', ['group', 'role']),
    groupLeader: gauge('corral_group_leader', 'Node id of the leader this replica knows (0: none)', ['group']),
    groupHasLeader: gauge('corral_group_has_leader', '1 when this replica knows a leader', ['group']),
    groupTerm: gauge('corral_group_term', 'Current Raft term', ['group']),
    groupCommit: gauge('corral_group_commit_index', 'Highest log index known committed', ['group']),
    groupApplied: gauge('corral_group_applied_index', 'Highest log index applied to the state machine', ['group']),
    groupApplyLag: gauge('corral_group_apply_lag_entries', 'commit index minus applied index', ['group']),
    groupLeaderChanges: counter('corral_group_leader_changes_total', 'Leader changes seen by this replica', ['group']),
    proposals: counter('corral_proposals_total', 'Proposals made on this node (as leader)', ['group']),
    proposalFailures: counter('corral_proposal_failures_total', 'Proposals that did not commit, by error code', ['group', 'code']),
    proposalDuration: histogram('corral_proposal_duration_seconds', 'Proposal latency: propose to applied (or failed)', ['group'], LATENCY_BUCKETS_SECONDS),
    fsyncEntries: histogram('corral_fsync_entries', 'Log entries of a group persisted per group-commit fsync', ['group'], ENTRIES_BUCKETS),
    snapshots: counter('corral_snapshots_total', 'Snapshots taken locally (kind=taken) or installed from a leader (kind=installed)', ['group', 'kind']),
    snapshotSize: gauge('corral_snapshot_size_bytes', 'Size of the latest snapshot written', ['group']),
    snapshotDuration: histogram('corral_snapshot_duration_seconds', 'Time to write a snapshot to storage (synced)', ['group'], LATENCY_BUCKETS_SECONDS),
    // ---- storage and host (per node)
    fsyncDuration: histogram('corral_fsync_duration_seconds', 'Group-commit write latency: one synced RocksDB batch for all groups, queueing included', [], LATENCY_BUCKETS_SECONDS),
    storageBatches: counter('corral_storage_synced_batches_total', 'Synced RocksDB batches', []),
    storageBytes: counter('corral_storage_written_bytes_total', 'Key and value bytes written to RocksDB', []),
    storageQueued: gauge('corral_storage_queued_calls', 'Storage calls queued or running', []),
    hostPasses: counter('corral_host_passes_total', 'Host loop passes', []),
    hostInputsDropped: counter('corral_host_inputs_dropped_total', 'Inputs refused because the host input queue was full', []),
    // ---- peers (per node, label `peer`)
    peerBatches: counter('corral_peer_batches_total', 'Peer message batches, by direction (sent, received)', ['peer', 'direction']),
    peerMessages: counter('corral_peer_messages_total', 'Raft messages to and from peers, by direction', ['peer', 'direction']),
    peerBytes: counter('corral_peer_bytes_total', 'Encoded bytes of peer batches, by direction', ['peer', 'direction']),
    peerDropped: counter('corral_peer_dropped_messages_total', 'Outbound peer messages dropped (reason: queue-full, oversize)', ['peer', 'reason']),
    peerConnected: gauge('corral_peer_connected', '1 while the outbound stream to the peer is up', ['peer']),
    peerQueued: gauge('corral_peer_queued_messages', 'Messages queued for the peer', ['peer']),
    // ---- client RPCs (per node)
    rpcHandled: counter('corral_rpc_handled_total', 'Client RPCs completed, by method and gRPC status code', ['method', 'code']),
    rpcDuration: histogram('corral_rpc_duration_seconds', 'Client RPC latency (streams: their whole life), by method and status code', ['method', 'code'], LATENCY_BUCKETS_SECONDS),
    rpcInFlight: gauge('corral_rpc_in_flight', 'Client RPCs being served now', []),
    // ---- KV (per group, from this node's replica)
    sessions: gauge('corral_sessions', 'Live sessions', ['group']),
    sessionsExpired: counter('corral_sessions_expired_total', 'Sessions expired (applied on this replica)', ['group']),
    ephemeralNodes: gauge('corral_ephemeral_nodes', 'Ephemeral nodes', ['group']),
    watchers: gauge('corral_watchers', 'Watchers served by this node', ['group']),
    watchEventsSent: counter('corral_watch_events_sent_total', 'Watch events sent to clients by this node', ['group']),
    watchSlowConsumerCancels: counter('corral_watch_slow_consumer_cancels_total', 'Watches cancelled because the client could not keep up', ['group']),
    lockHolders: gauge('corral_lock_holders', 'Locks currently held', ['group']),
    lockWaiters: gauge('corral_lock_waiters', 'Lock acquires waiting in a queue', ['group']),
  };
}

export type MetricFamilies = ReturnType<typeof createFamilies>;
