#!/usr/bin/env bash
# Build the tidemark Docker image and run it against a real PostgreSQL, on a
# machine that has no Docker engine and cannot pull registry images.
#
#   1. installs buildah and debootstrap from Debian if they are missing;
#   2. builds a local stand-in for node:20-bookworm-slim if it is absent
#      (debootstrap --variant=minbase bookworm + this host's node binary +
#      npm 10 from the npm registry),
#      committed as $BASE_IMAGE;
#   3. builds ./Dockerfile with `buildah bud --isolation chroot`, passing
#      --build-arg BASE_IMAGE=$BASE_IMAGE, and prints the image size;
#   4. runs the image's ENTRYPOINT from a buildah working container
#      (`buildah run --isolation chroot --network host`) against the host
#      PostgreSQL: --help, then status / lint / apply / status / verify / apply
#      --log-format json (nothing to do) / apply --wait 2 to a closed port
#      (exit 5) on a throwaway database with the migrations bind-mounted read-only at
#      /migrations, checking every exit code and the ledger;
#   5. drops the database and removes the working container.
#
# Idempotent: run it as often as you like. Exits non-zero on any failure.
# Needs root (buildah with chroot isolation, debootstrap).
#
# Environment (all optional):
#   CONTEXT         build context (default: the repository this script is in)
#   IMAGE           tag of the built image (default localhost/tidemark:dev)
#   BASE_IMAGE      local base image (default localhost/tidemark-node-base:20)
#   REBUILD_BASE=1  rebuild the base image even if it exists
#   BASE_NPM_VERSION  npm put into the base image (default 10.8.2, as node:20)
#   MIGRATIONS      migrations directory to mount (default: $CONTEXT/sql if it
#                   holds .sql files, else a tiny generated pair)
#   PGHOST PGPORT PGUSER   the PostgreSQL to test against
#                   (default 127.0.0.1 5432 postgres; trust or ~/.pgpass auth)
#   DEBIAN_MIRROR   mirror for debootstrap (default: the one apt uses)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONTEXT=${CONTEXT:-$(cd "$SCRIPT_DIR/.." && pwd)}
IMAGE=${IMAGE:-localhost/tidemark:dev}
BASE_IMAGE=${BASE_IMAGE:-localhost/tidemark-node-base:20}
BASE_NPM_VERSION=${BASE_NPM_VERSION:-10.8.2}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
ISOLATION=chroot
export BUILDAH_ISOLATION=$ISOLATION

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'docker-verify: FAIL: %s\n' "$*" >&2; exit 1; }

# ---- phase timing -----------------------------------------------------------
declare -a PHASES=()
phase_start() { PHASE_NAME=$1; PHASE_T0=$EPOCHREALTIME; log "$1"; }
phase_end() {
  local dt
  dt=$(awk -v a="$PHASE_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  PHASES+=("$(printf '%-54s %7ss' "$PHASE_NAME" "$dt")")
  printf -- '--- %s: %ss\n' "$PHASE_NAME" "$dt"
}
print_phases() {
  [ ${#PHASES[@]} -gt 0 ] || return 0
  printf '\nPhase timings:\n'
  printf '  %s\n' "${PHASES[@]}"
}

# ---- cleanup ----------------------------------------------------------------
CTR=""
BASE_CTR=""
DB=""
TMP=""
cleanup() {
  local rc=$?
  set +e
  [ -n "$CTR" ] && buildah rm "$CTR" >/dev/null 2>&1
  [ -n "$BASE_CTR" ] && buildah rm "$BASE_CTR" >/dev/null 2>&1
  [ -n "$DB" ] && dropdb --if-exists "$DB" >/dev/null 2>&1
  [ -n "$TMP" ] && rm -rf "$TMP"
  print_phases
  if [ "$rc" -eq 0 ]; then echo "docker-verify: OK"; else echo "docker-verify: FAILED (exit $rc)" >&2; fi
  exit "$rc"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || die "run as root (buildah --isolation chroot and debootstrap need it)"
[ -f "$CONTEXT/Dockerfile" ] || die "no Dockerfile in $CONTEXT"
TMP=$(mktemp -d /var/tmp/tidemark-docker-verify.XXXXXX)

# ---- 1. tools ---------------------------------------------------------------
phase_start "tools (apt-get if missing)"
missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v node >/dev/null || die "node is needed on the host (its binary goes into the local base image)"
buildah --version
phase_end

# ---- 2. local base image ----------------------------------------------------
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  # deb822 (*.sources): "URIs: http://.../debian" ; one-line: "deb http://.../debian bookworm main"
  m=$(grep -hsE '^\s*URIs:\s*\S+/debian/?\s*$' /etc/apt/sources.list.d/*.sources | head -n1 | awk '{print $2}')
  [ -n "$m" ] || m=$(grep -hsE '^\s*deb\s+(\[[^]]*\]\s+)?\S+/debian/?\s+bookworm\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
    head -n1 | sed -E 's/^\s*deb\s+(\[[^]]*\]\s+)?(\S+).*/\2/')
  echo "${m:-http://deb.debian.org/debian}"
}

# Run a command in the rootfs being built, with a clean environment.
in_rootfs() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

build_base() {
  local rootfs="$TMP/rootfs" mirror node_bin npm_tgz ctr mnt
  ROOTFS=$rootfs
  mirror=$(debian_mirror)
  node_bin=$(readlink -f "$(command -v node)")
  # npm as node:20 ships it (10.8.x), fetched from the npm registry -- not the
  # host's global npm, which may be newer (npm >= 11.16 rejects lockfiles that
  # omit unavailable optional deps, npm/cli#9846; node:20 users get npm 10).
  echo "npm pack npm@$BASE_NPM_VERSION"
  npm_tgz=$(cd "$TMP" && npm pack --silent "npm@$BASE_NPM_VERSION" 2>/dev/null | tail -n1)
  [ -f "$TMP/$npm_tgz" ] || die "could not fetch npm@$BASE_NPM_VERSION from the npm registry"
  echo "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$TMP/debootstrap.log" 2>&1 ||
    { tail -n 30 "$TMP/debootstrap.log"; die "debootstrap failed"; }

  # Slim it the way debian:bookworm-slim is slimmed.
  (
    cd "$rootfs"
    rm -rf var/cache/apt/*.bin var/cache/apt/archives/*.deb var/lib/apt/lists/* \
      usr/share/man/* usr/share/info/* usr/share/locale/* usr/share/lintian \
      var/log/*.log var/log/apt/* var/cache/debconf/*-old var/lib/dpkg/*-old tmp/* dev/*
    find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
    find usr/share/doc -mindepth 1 -type d -empty -delete
    : >etc/hostname
    : >etc/resolv.conf
  )

  # Node as node:20-bookworm-slim lays it out: /usr/local/bin, /usr/local/lib/node_modules/npm.
  install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$TMP/$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 \
    --no-same-owner --no-same-permissions
  chmod -R u=rwX,go=rX "$rootfs/usr/local/lib/node_modules/npm"
  chmod 0755 "$rootfs/usr/local/lib/node_modules/npm/bin/"*-cli.js
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  in_rootfs groupadd --gid 1000 node
  in_rootfs useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  in_rootfs node --version >/dev/null || die "node does not run in the base rootfs"
  in_rootfs npm --version >/dev/null || die "npm does not run in the base rootfs"

  # This machine reaches the npm registry through a TLS-intercepting egress
  # proxy whose CA lives in the host trust store. Carry the host's extra CAs
  # (only those, not the whole store) into the LOCAL base so `npm ci` works in
  # the build; the official node image needs nothing of the kind.
  local extra=(/usr/local/share/ca-certificates/*.crt)
  local ca_env=()
  if [ -e "${extra[0]}" ]; then
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    cat "${extra[@]}" >"$rootfs/usr/local/share/ca-certificates/host-extra-ca.pem"
    ca_env=(--env NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-extra-ca.pem)
    echo "added ${#extra[@]} extra CA certificate file(s) from the host"
  fi

  ctr=$(buildah from scratch)
  BASE_CTR=$ctr
  mnt=$(buildah mount "$ctr")
  cp -a "$rootfs/." "$mnt/"
  buildah umount "$ctr" >/dev/null
  buildah config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$(node -p process.versions.node)" \
    "${ca_env[@]}" \
    --cmd node \
    --label org.opencontainers.image.description="Local stand-in for node:20-bookworm-slim (debootstrap minbase + host node)" \
    "$ctr"
  buildah commit --rm --quiet "$ctr" "$BASE_IMAGE" >/dev/null
  BASE_CTR=""
  rm -rf "$rootfs"
}

# Rebuild when asked, when absent, or when the host's node changed version.
base_node=$(buildah inspect --type image "$BASE_IMAGE" 2>/dev/null | node -e '
  let t = ""; process.stdin.on("data", (d) => (t += d)).on("end", () => {
    try { const e = JSON.parse(t).OCIv1.config.Env || [];
      console.log((e.find((v) => v.startsWith("NODE_VERSION=")) || "").slice(13)); } catch { console.log(""); } });' || true)
if [ -n "$base_node" ] && [ "$base_node" != "$(node -p process.versions.node)" ]; then
  echo "$BASE_IMAGE has node $base_node, the host has $(node -p process.versions.node): rebuilding it"
  REBUILD_BASE=1
fi
if [ "${REBUILD_BASE:-0}" = 1 ] || [ -z "$base_node" ]; then
  phase_start "base image (debootstrap + node)"
  build_base
  phase_end
else
  phase_start "base image (present, reused)"
  phase_end
fi

# ---- 3. image build ---------------------------------------------------------
phase_start "image build (buildah bud)"
buildah bud --isolation "$ISOLATION" --layers --pull=never \
  --build-arg BASE_IMAGE="$BASE_IMAGE" \
  -f "$CONTEXT/Dockerfile" -t "$IMAGE" "$CONTEXT"
phase_end

phase_start "image size and contents"
buildah images "$BASE_IMAGE"
buildah images --noheading "$IMAGE"
IMAGE_SIZE=$(buildah images --format '{{.Size}}' "$IMAGE")
# What a registry push would send: the layers gzip-compressed, in an OCI layout.
buildah push --quiet "$IMAGE" "oci:$TMP/oci:tidemark" >/dev/null
PUSH_SIZE=$(du -sh "$TMP/oci/blobs" | cut -f1)
rm -rf "$TMP/oci"
echo "image $IMAGE: $IMAGE_SIZE uncompressed, $PUSH_SIZE compressed (OCI layout, gzip)"
CTR=$(buildah from --pull-never "$IMAGE")
# Entrypoint, user and workdir exactly as the image declares them.
IMG_CONFIG=$(buildah inspect --type image "$IMAGE")
cfg() { node -e 'const c = JSON.parse(process.argv[1]).OCIv1.config; const v = c[process.argv[2]];
  if (Array.isArray(v)) v.forEach((a) => console.log(a)); else if (v) console.log(v);' "$IMG_CONFIG" "$1"; }
mapfile -t ENTRYPOINT < <(cfg Entrypoint)
IMG_USER=$(cfg User)
echo "entrypoint: ${ENTRYPOINT[*]}  cmd: $(cfg Cmd)  user: ${IMG_USER:-<root>}  workdir: $(cfg WorkingDir)"
[ ${#ENTRYPOINT[@]} -gt 0 ] || die "image has no ENTRYPOINT"
case "${IMG_USER%%:*}" in "" | 0 | root) die "image runs as root" ;; esac
# shellcheck disable=SC2016 # expanded inside the container
buildah run --isolation "$ISOLATION" --user "$IMG_USER" "$CTR" -- sh -ec '
  echo "uid inside: $(id -u)"; [ "$(id -u)" != 0 ]
  echo "cwd: $(pwd)  TIDEMARK_DIR=$TIDEMARK_DIR  NODE_ENV=$NODE_ENV"; [ "$TIDEMARK_DIR" = /migrations ]
  test -f /app/package.json; test -d /app/dist; test -d /app/bin
  test ! -e /app/lib && test ! -e /app/__tests__ && test ! -e /app/node_modules/typescript \
    && test ! -e /app/node_modules/esbuild && test ! -e /app/node_modules/jest
  echo "/app holds: $(ls /app | tr "\n" " ")"
  echo "production node_modules: $(ls /app/node_modules | wc -l) entries, $(du -sh /app/node_modules | cut -f1)"
  ! touch /app/dist/x 2>/dev/null   # the app is read-only for the runtime user
' || die "image contents check failed"
phase_end

# ---- 4. run against PostgreSQL ----------------------------------------------
if [ -n "${MIGRATIONS:-}" ]; then
  MIG=$(cd "$MIGRATIONS" && pwd)
elif [ -n "$(find "$CONTEXT/sql" -name '*.sql' -print -quit 2>/dev/null)" ]; then
  MIG="$CONTEXT/sql"
else
  MIG="$TMP/migrations"
  mkdir -p "$MIG"
  printf 'CREATE TABLE docker_verify_t (id int PRIMARY KEY);\n' >"$MIG/001_docker_verify.up.sql"
  printf 'DROP TABLE docker_verify_t;\n' >"$MIG/001_docker_verify.down.sql"
  printf 'ALTER TABLE docker_verify_t ADD COLUMN note text;\n' >"$MIG/002_add_note.up.sql"
  printf 'ALTER TABLE docker_verify_t DROP COLUMN note;\n' >"$MIG/002_add_note.down.sql"
fi
n_mig=$(find "$MIG" -name '*.up.sql' | wc -l)
echo "migrations: $MIG ($n_mig up files)"

phase_start "postgres: create throwaway database"
pg_isready -q || die "PostgreSQL at $PGHOST:$PGPORT is not accepting connections"
DB="tidemark_docker_verify_$$_$(date +%s)"
createdb "$DB"
echo "created $DB"
phase_end

# Run the image's entrypoint with ARGS; host network, migrations at /migrations (read-only).
# Only DATABASE_URL is passed in: no PG* variables leak from the host.
tm() {
  buildah run --isolation "$ISOLATION" --network host --user "$IMG_USER" \
    -v "$MIG:/migrations:ro" \
    -e DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB" \
    "$CTR" -- "${ENTRYPOINT[@]}" "$@"
}
expect() { # expect CODE LABEL ARGS...
  local want=$1 label=$2 rc=0
  shift 2
  phase_start "run: tidemark $label"
  tm "$@" || rc=$?
  [ "$rc" -eq "$want" ] || die "tidemark $* exited $rc, expected $want"
  echo "exit $rc (as expected)"
  phase_end
}
ledger_rows() {
  psql -d "$DB" -Atc "SELECT count(*) FROM public.tidemark_migrations" 2>/dev/null || echo none
}

expect 0 "--help" --help
expect 0 "status (fresh database)" status
[ "$(ledger_rows)" = none ] || die "status created the ledger (it must never write)"
expect 0 "lint (the WASM parser loads inside the image; the examples lint clean)" lint
expect 0 "apply" apply
rows=$(ledger_rows)
[ "$rows" = "$n_mig" ] || die "ledger has $rows rows after apply, expected $n_mig"
echo "ledger rows: $rows"
expect 0 "status (after apply)" status
expect 0 "verify (no drift)" verify

phase_start "run: tidemark apply --log-format json (nothing to do)"
rc=0
tm apply --log-format json >"$TMP/json.out" 2>&1 || rc=$?
cat "$TMP/json.out"
[ "$rc" -eq 0 ] || die "apply --log-format json exited $rc, expected 0"
# shellcheck disable=SC2016 # JavaScript template literal
node -e 'const ls = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
  if (!ls.length) throw new Error("no output");
  for (const l of ls) { const o = JSON.parse(l); if (!("level" in o) || !("msg" in o)) throw new Error("not pino-style: " + l); }
  console.log(`${ls.length} line(s), each a JSON object with level and msg`);' "$TMP/json.out" ||
  die "--log-format json printed a line that is not a JSON object with level and msg"
[ "$(ledger_rows)" = "$n_mig" ] || die "second apply changed the ledger"
phase_end

# Nothing listens on port 1: the CLI must give up after --wait and exit 5.
expect 5 "apply, database unreachable (--wait 2)" apply --url "postgres://$PGUSER@127.0.0.1:1/$DB" --wait 2

# Everything above ran in one working container: the runtime user must have
# written nothing to its filesystem (what readOnlyRootFilesystem relies on).
phase_start "no files written by the runtime user"
written=$(buildah run --isolation "$ISOLATION" --user 0:0 "$CTR" -- sh -c \
  "find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o -user ${IMG_USER%%:*} -print" 2>&1) ||
  die "could not search the container filesystem: $written"
[ -z "$written" ] || die "the runtime user wrote files: $written"
echo "none"
phase_end

phase_start "postgres: drop database"
dropdb "$DB"
DB=""
phase_end
