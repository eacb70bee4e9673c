// Watch metrics measured where the events leave the node: the RPC interceptor shows this
// observer every message of a Watch stream, so it counts the events actually sent and the
// streams cancelled as SLOW_CONSUMER, per group, without a hook inside the watch service.

import type { GroupId } from '../host/ports';
import type { WatchMetricsRecorder } from './metrics';

export const WATCH_METHOD = 'corral.v1.Watch/Watch';

/** Per-call view of a stream's messages (requests received, responses sent). */
export interface CallObserver {
  received(message: unknown): void;
  sent(message: unknown): void;
}

export interface StreamObserver {
  /** An observer for this call of `method`, or null to observe nothing (the common case). */
  forCall(method: string): CallObserver | null;
}

export class WatchStreamObserver implements StreamObserver {
  constructor(
    private readonly recorder: WatchMetricsRecorder,
    /** The group a watched path lives in; null while unknown (no shard map yet). */
    private readonly groupOfPath: (path: string) => GroupId | null,
  ) {}

  forCall(method: string): CallObserver | null {
    if (method !== WATCH_METHOD) return null;
    let groupId: GroupId | null = null;
    return {
      received: (message) => {
        const path = isRecord(message) && typeof message.path === 'string' ? message.path : null;
        if (path !== null) groupId = this.groupOfPath(path);
      },
      sent: (message) => {
        if (groupId === null || !isRecord(message)) return;
        const events = Array.isArray(message.events) ? message.events.length : 0;
        if (events > 0) this.recorder.recordWatchEventsSent(groupId, events);
        if (message.cancelled === 'SLOW_CONSUMER') this.recorder.recordSlowConsumerCancel(groupId);
      },
    };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
