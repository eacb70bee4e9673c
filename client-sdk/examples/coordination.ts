// Runnable: CORRAL_ENDPOINTS=127.0.0.1:7400 npx tsx client-sdk/examples/coordination.ts
// Sessions and ephemeral nodes, locks with fencing tokens, an election, the registry helper.

import { CorralClient, LockWaitTimeoutError } from '..';

async function main(): Promise<void> {
  const client = new CorralClient({ endpoints: process.env.CORRAL_ENDPOINTS ?? '127.0.0.1:7400' });
  try {
    // A session: ephemeral nodes live as long as it does.
    const session = await client.session({ ttlMs: 5_000 });
    session.on('state', (event) => console.log('session', event.type, 'remainingMs' in event ? event.remainingMs : ''));
    await client.put('/demo-nodes/worker-1', 'host=10.0.0.7', { ephemeral: true, session });
    console.log('lease left', session.remainingMs(), 'ms');

    // A lock held by that session; its token guards writes.
    const lock = await client.lock('demo-jobs/nightly', { session, waitMs: 5_000 });
    await client.put('/demo-jobs/nightly-state', 'running', { guard: lock.guard });
    try {
      await client.lock('demo-jobs/nightly', { waitMs: 200 });
    } catch (error) {
      if (error instanceof LockWaitTimeoutError) console.log('second taker waited and gave up:', error.message);
      else throw error;
    }
    void lock.lost.then((lost) => console.log('lock lost:', lost.reason));
    await lock.release();

    // An election: the leader's value is the node at the election path.
    const election = client.election('demo-election/scheduler');
    const leadership = await election.campaign('10.0.0.7:5678', { session });
    console.log('leader is', (await election.leader())?.value.toString(), 'token', leadership.token);
    await leadership.resign();

    // The DolphinScheduler-style registry.
    const registry = client.registry({ sessionTtlMs: 5_000 });
    registry.addConnectionStateListener((state) => console.log('registry', state));
    const unsubscribe = registry.subscribe('/demo-registry', (event) => console.log('registry event', event.type, event.path, event.data));
    await registry.put('/demo-registry/masters/10.0.0.7:5678', '{"load":0.3}', true);
    console.log('masters', await registry.children('/demo-registry/masters'));
    if (await registry.acquireLock('/demo-registry/lock/failover', 2_000)) {
      await registry.acquireLock('/demo-registry/lock/failover'); // reentrant
      await registry.releaseLock('/demo-registry/lock/failover');
      await registry.releaseLock('/demo-registry/lock/failover');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    unsubscribe();
    await registry.close();
    await registry.delete('/demo-registry');
    await session.close();
  } finally {
    client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
