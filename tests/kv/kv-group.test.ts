import type { GroupStateMachine } from '../../server/host/ports';
import { encodeCommand } from '../../server/kv/commands';
import { KvGroupStateMachine } from '../../server/kv/kv-group';
import { cmd, testLimits } from './helpers';

describe('KvGroupStateMachine (the host port)', () => {
  it('fits the host GroupStateMachine port and round-trips through snapshot/restore', () => {
    const group = new KvGroupStateMachine(testLimits());
    const port: GroupStateMachine = group;
    port.applyEntry(1, 1, encodeCommand(cmd.create('/a', 'x')));
    port.skipEntry(2);
    const applied = group.applyEntry(3, 1, encodeCommand(cmd.open(5000, 10)));
    expect(applied.result).toMatchObject({ ok: true, kind: 'sessionOpen', sessionId: 3 });
    const copy = new KvGroupStateMachine(testLimits());
    copy.restore(port.snapshot(), 3);
    expect(copy.appliedIndex).toBe(3);
    expect(copy.state.sessions()).toEqual(group.state.sessions());
    expect(() => copy.restore(port.snapshot(), 4)).toThrow('meta says 4');
  });

  it('applies an undecodable entry as invalid-argument on every replica alike', () => {
    const group = new KvGroupStateMachine(testLimits());
    const applied = group.applyEntry(1, 1, Uint8Array.of(1, 250));
    expect(applied.result).toEqual({ ok: false, code: 'invalid-argument', message: 'malformed command: unknown command tag 250' });
    expect(group.appliedIndex).toBe(1);
    expect(group.state.revision).toBe(0);
  });
});
