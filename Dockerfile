# Isolens as a container on each host: `isolens exporter` (the default command) or `isolens serve`, reading the host
# the way cAdvisor does. Build and run:
#
#   docker build -t isolens .
#   docker run -d --name isolens-exporter --restart unless-stopped \
#     --pid=host --cgroupns=host --network=host \
#     --cap-drop ALL --cap-add SYS_PTRACE --security-opt no-new-privileges --read-only \
#     -v /var/run/docker.sock:/var/run/docker.sock \
#     -v /sys/fs/cgroup:/sys/fs/cgroup:ro \
#     isolens                                   # metrics on the host's 127.0.0.1:7718
#
# Why each flag: --pid=host shows every container's main process in /proc; --cgroupns=host and the host's cgroupfs
# give the same cgroup paths and limits the host sees; the engine socket is how containers are listed and inspected;
# SYS_PTRACE is what reading another user's /proc/PID/ns/* needs (the namespace evidence); --network=host lets the
# default 127.0.0.1 listener be the host's loopback. deploy/compose.yml runs the same. Isolens only reads, but the
# engine socket is root on the host: this container is as trusted as that socket, and Isolens reports it as such.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: dependencies, the CLI (tsc) and the UI that `serve` serves (vite); then production dependencies only
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CI=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:app && npm run build:renderer && npm prune --omit=dev

# ---- runtime: Node and the built CLI, nothing else; no RUN here, so any Node 22 base (even a bare one) works
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="isolens" \
      org.opencontainers.image.description="How isolated each running container is: Prometheus exporter (default) or the review UI (serve)" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /opt/isolens
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/assets ./assets
COPY --from=build /src/dist ./dist
# Inside a container /proc/self is not the host: "shared with the host" is judged against each container's runtime
# shim instead (app/kernel/host-reference.ts), which the engine starts in the host's namespaces.
ENV NODE_ENV=production ISOLENS_HOST_REFERENCE=container-parent
EXPOSE 7718
# Root in the container is needed to talk to the engine socket and read other users' /proc entries; every other
# capability is dropped at run time (see above).
ENTRYPOINT ["node", "/opt/isolens/bin/isolens.js"]
CMD ["exporter"]
