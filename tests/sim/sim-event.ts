// The events of a simulated run. Each one is one step; the agenda orders them by time.

import type { Message, NodeId } from '../../server/raft/types';
import type { ClientReply, ClientRequest } from './client-protocol';

export type SimEvent =
  | { readonly kind: 'tick'; readonly node: NodeId }
  | {
      readonly kind: 'deliver';
      readonly message: Message;
      /** For 'snap': report the outcome to this incarnation of the sender on delivery. */
      readonly reportTo: number | null;
    }
  | { readonly kind: 'snap-failed'; readonly node: NodeId; readonly incarnation: number; readonly to: NodeId }
  | { readonly kind: 'persist'; readonly node: NodeId; readonly incarnation: number; readonly readyId: number }
  | { readonly kind: 'client-request'; readonly node: NodeId; readonly request: ClientRequest }
  | { readonly kind: 'client-reply'; readonly reply: ClientReply }
  | { readonly kind: 'client-wake'; readonly client: number }
  | { readonly kind: 'client-timeout'; readonly client: number; readonly operation: number }
  | { readonly kind: 'nemesis' }
  | { readonly kind: 'ambush'; readonly node: NodeId; readonly term: number }
  | { readonly kind: 'restart'; readonly node: NodeId };

export const eventCodes: Readonly<Record<SimEvent['kind'], number>> = {
  tick: 1,
  deliver: 2,
  'snap-failed': 3,
  persist: 4,
  'client-request': 5,
  'client-reply': 6,
  'client-wake': 7,
  'client-timeout': 8,
  nemesis: 9,
  restart: 10,
  ambush: 11,
};

export function describeMessage(message: Message): string {
  const base = `${message.type} ${message.from}->${message.to} term=${message.term}`;
  switch (message.type) {
    case 'app':
      return `${base} prev=${message.index}/${message.logTerm} n=${message.entries.length} commit=${message.commit}`;
    case 'app-resp':
      return `${base} index=${message.index}${message.reject ? ` reject hint=${message.rejectHint}` : ''}`;
    case 'vote':
    case 'pre-vote':
      return `${base} last=${message.index}/${message.logTerm}`;
    case 'vote-resp':
    case 'pre-vote-resp':
      return `${base}${message.reject ? ' reject' : ' grant'}`;
    case 'snap':
      return `${base} snap=${message.snapshot?.meta.index ?? -1}/${message.snapshot?.meta.term ?? -1}`;
    case 'heartbeat':
      return `${base} commit=${message.commit}${message.context === '' ? '' : ` ctx=${message.context}`}`;
    default:
      return `${base}${message.context === '' ? '' : ` ctx=${message.context}`}${message.index > 0 ? ` index=${message.index}` : ''}`;
  }
}
