// Runnable: CORRAL_ENDPOINTS=127.0.0.1:7400 npx tsx client-sdk/examples/quickstart.ts
// The node tree, typed errors, a transaction, and a watch.

import { CorralClient, NotFoundError, VersionMismatchError } from '..';

async function main(): Promise<void> {
  const client = new CorralClient({ endpoints: process.env.CORRAL_ENDPOINTS ?? '127.0.0.1:7400', timeoutMs: 5_000 });
  try {
    await client.put('/demo/config/db', 'postgres://primary');
    const { value, stat } = await client.get('/demo/config/db');
    console.log('read', value.toString(), 'at version', stat.version);

    // Compare-and-set: only applies at the version we read.
    await client.set('/demo/config/db', 'postgres://replica', { expectedVersion: stat.version });
    try {
      await client.set('/demo/config/db', 'stale write', { expectedVersion: stat.version });
    } catch (error) {
      if (error instanceof VersionMismatchError) console.log('refused:', error.message);
      else throw error;
    }
    try {
      await client.get('/demo/missing');
    } catch (error) {
      if (error instanceof NotFoundError) console.log('missing:', error.code);
      else throw error;
    }

    // Watch the subtree from the next revision; then make two changes in one transaction.
    const from = (await client.get('/demo/config/db')).revision + 1;
    const watch = client.watch('/demo', { kind: 'subtree', fromRevision: from });
    const result = await client.txn({
      compare: [{ path: '/demo/config/db', target: 'value', value: 'postgres://replica' }],
      success: [{ op: 'put', path: '/demo/config/cache', value: 'redis://a' }, { op: 'delete', path: '/demo/config/db' }],
    });
    console.log('txn succeeded:', result.succeeded);
    let seen = 0;
    for await (const event of watch) {
      console.log('event', event.type, event.path, event.revision, (event.type === 'REMOVE' ? event.prevValue : event.value)?.toString());
      if (++seen === 2) break;
    }
    console.log('listed', (await client.list('/demo/config')).children.map((c) => c.name));
    await client.delete('/demo', { recursive: true, ignoreMissing: true });
  } finally {
    client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
