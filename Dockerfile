# syntax=docker/dockerfile:1
#
# Corral node image. Two stages: `build` compiles the TypeScript (npm ci && npm run build)
# and drops dev dependencies; `runtime` holds only production node_modules, dist/, the .proto
# files and bin/corral, and runs as the unprivileged `node` user with its data on /data.
#
#   docker build -t corral .
#   docker run -p 7400:7400 -p 7401:7401 -v corral-data:/data corral
#
# Every setting is a CORRAL_* environment variable or a flag (see docs/operations.md).
# No Docker engine ran where this file was written: see docs/operations.md, "Docker", for
# what was validated and how.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# rocksdb ships prebuilt binaries for linux-x64; other architectures compile it from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proto ./proto
COPY server ./server
COPY cli ./cli
COPY client-sdk ./client-sdk
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CORRAL_USE_DIST=1 \
    CORRAL_DATA_DIR=/data \
    CORRAL_LISTEN=0.0.0.0:7400 \
    CORRAL_METRICS_LISTEN=0.0.0.0:7401
WORKDIR /app
COPY --from=build --chown=root:root /src/package.json ./package.json
COPY --from=build --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist ./dist
COPY --chown=root:root bin ./bin
COPY --chown=root:root proto/corral ./proto/corral
COPY --chown=root:root proto/grpc ./proto/grpc
COPY --chown=root:root proto/raft ./proto/raft
# The code is root-owned and read-only to the server; only /data belongs to `node`.
RUN mkdir -p /data && chown node:node /data \
 && ln -s /app/bin/corral /usr/local/bin/corral
USER node
VOLUME ["/data"]
# 7400: client API and peer traffic (gRPC); 7401: /metrics /healthz /readyz
EXPOSE 7400 7401
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/dist/server/ops/healthcheck.js"]
# SIGTERM starts the graceful shutdown (leadership handed over, exit 0 within
# CORRAL_SHUTDOWN_TIMEOUT_MS); give `docker stop` more time than that (--time / stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin/corral"]
CMD ["server"]
