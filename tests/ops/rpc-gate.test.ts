// The RPC interceptor and the gRPC health service on a real gRPC server (127.0.0.1, port 0):
// client calls are counted by method and code; once the gate closes they are refused with
// UNAVAILABLE while health checks are still answered (NOT_SERVING).

import * as grpc from '@grpc/grpc-js';
import { loadCorralProto } from '../../proto/load';
import type { ClusterClient } from '../../proto/gen/corral/v1/Cluster';
import type { HealthClient } from '../../proto/gen/grpc/health/v1/Health';
import type { HealthCheckResponse__Output } from '../../proto/gen/grpc/health/v1/HealthCheckResponse';
import { HealthService, loadHealthProto } from '../../server/api/health-service';
import { CorralMetrics } from '../../server/ops/metrics';
import { RequestGate } from '../../server/ops/request-gate';
import { createRpcInterceptor } from '../../server/ops/rpc-interceptor';
import { parsePrometheusText, samplesOf } from './prom-text';

describe('client RPC gate and health service', () => {
  const gate = new RequestGate();
  const metrics = new CorralMetrics({ nodeId: 1, clusterId: 'c', processMetrics: false });
  const health = new HealthService({ ready: () => !gate.closed, pollMs: 20, watchesMax: 4 });
  const server = new grpc.Server({ interceptors: [createRpcInterceptor({ gate, observer: metrics, nodeId: 1 })] });
  let cluster: ClusterClient;
  let healthClient: HealthClient;

  beforeAll(async () => {
    const proto = loadCorralProto().corral.v1;
    server.addService(proto.Cluster.service, {
      Status: (_call: unknown, callback: grpc.sendUnaryData<object>) => callback(null, { cluster_id: 'c', node_id: 1 }),
    });
    health.addTo(server);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    cluster = new proto.Cluster(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    healthClient = new (loadHealthProto().grpc.health.v1.Health)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    cluster?.close();
    healthClient?.close();
    health.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  const status = (): Promise<grpc.ServiceError | null> =>
    new Promise((resolve) => cluster.Status({}, { deadline: Date.now() + 5_000 }, (error) => resolve(error)));
  const check = (service: string): Promise<{ error: grpc.ServiceError | null; response?: HealthCheckResponse__Output }> =>
    new Promise((resolve) => healthClient.Check({ service }, { deadline: Date.now() + 5_000 }, (error, response) => resolve({ error, response })));

  test('serves, counts, then refuses new client calls once the gate closes; health keeps answering', async () => {
    expect(await status()).toBeNull();
    expect((await check('')).response?.status).toBe('SERVING');
    expect((await check('corral.v1.KV')).response?.status).toBe('SERVING');
    expect((await check('no.such.Service')).error?.code).toBe(grpc.status.NOT_FOUND);

    const watch = healthClient.Watch({ service: '' });
    const seen: string[] = [];
    const sawNotServing = new Promise<void>((resolve) => {
      watch.on('data', (message: HealthCheckResponse__Output) => {
        seen.push(message.status);
        if (message.status === 'NOT_SERVING') resolve();
      });
    });
    watch.on('error', () => undefined); // cancelled below
    await new Promise<void>((resolve) => watch.once('data', () => resolve()));
    gate.close();
    const refused = await status();
    expect(refused?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused?.details).toContain('shutting down');
    expect((await check('')).response?.status).toBe('NOT_SERVING');
    await sawNotServing;
    watch.cancel();
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);

    const families = parsePrometheusText(await metrics.render());
    expect(samplesOf(families, 'corral_rpc_handled_total', { method: 'corral.v1.Cluster/Status', code: 'OK' })[0].value).toBe(1);
    expect(samplesOf(families, 'corral_rpc_handled_total', { method: 'corral.v1.Cluster/Status', code: 'UNAVAILABLE' })[0].value).toBe(1);
    expect(samplesOf(families, 'corral_rpc_handled_total', { method: 'grpc.health.v1.Health/Check', code: 'NOT_FOUND' })[0].value).toBe(1);
    expect(samplesOf(families, 'corral_rpc_in_flight')[0].value).toBeGreaterThanOrEqual(0);
  });
});
