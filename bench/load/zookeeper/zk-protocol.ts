// ZooKeeper protocol constants (operation codes, error codes, event types) and its error type.

export const XID_NOTIFICATION = -1;
export const XID_PING = -2;

export const OP = {
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getChildren: 8,
  sync: 9,
  ping: 11,
  addWatch: 106,
  closeSession: -11,
} as const;

export const ERR_OK = 0;
export const ERR_NONODE = -101;
export const ERR_NODEEXISTS = -110;

const ERROR_NAMES: ReadonlyMap<number, string> = new Map([
  [-1, 'SYSTEMERROR'], [-4, 'CONNECTIONLOSS'], [-6, 'UNIMPLEMENTED'], [-7, 'OPERATIONTIMEOUT'], [-8, 'BADARGUMENTS'],
  [-101, 'NONODE'], [-102, 'NOAUTH'], [-103, 'BADVERSION'], [-108, 'NOCHILDRENFOREPHEMERALS'],
  [-110, 'NODEEXISTS'], [-111, 'NOTEMPTY'], [-112, 'SESSIONEXPIRED'], [-118, 'SESSIONMOVED'], [-119, 'NOTREADONLY'],
]);

export class ZkError extends Error {
  override readonly name = 'ZkError';

  constructor(readonly codeName: string, readonly code: number, readonly op: string, detail: string) {
    super(`zookeeper ${codeName} (${code}) on ${op}: ${detail}`);
  }

  static fromCode(code: number, op: number, path: string): ZkError {
    return new ZkError(ERROR_NAMES.get(code) ?? 'UNKNOWN', code, opName(op), path);
  }
}

function opName(op: number): string {
  for (const [name, value] of Object.entries(OP)) if (value === op) return name;
  return `op ${op}`;
}

export type CreateMode = 'persistent' | 'ephemeral' | 'persistent-sequential' | 'ephemeral-sequential';

export function createFlags(mode: CreateMode): number {
  switch (mode) {
    case 'persistent': return 0;
    case 'ephemeral': return 1;
    case 'persistent-sequential': return 2;
    case 'ephemeral-sequential': return 3;
  }
}

export type WatchEventType = 'created' | 'deleted' | 'data-changed' | 'children-changed' | 'other';

export function watchEventType(code: number): WatchEventType {
  switch (code) {
    case 1: return 'created';
    case 2: return 'deleted';
    case 3: return 'data-changed';
    case 4: return 'children-changed';
    default: return 'other';
  }
}
