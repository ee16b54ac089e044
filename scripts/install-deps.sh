#!/usr/bin/env bash
# Installs every build, run and test dependency of Lamina:
#   1. Debian packages (apt runs only when something is missing);
#   2. AWS's own Node.js runtime interface client (aws-lambda-ric, pinned by
#      tests/e2e/ric/package-lock.json) into .cache/ric, for tests/e2e/test_ric.py. Its install
#      compiles a native addon (bundled curl + aws-lambda-cpp), which takes minutes, so it runs only
#      when the pinned versions or the node version changed; otherwise this step costs milliseconds.
#      LAMINA_RIC_DIR overrides the directory; LAMINA_SKIP_RIC=1 skips the step.
# Idempotent, and safe to run concurrently (the ric step holds a lock).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libboost-dev libsqlite3-dev libssl-dev libzip-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libseccomp-dev libpugixml-dev
  zip unzip curl
  # outbound network for the functions allowed it (sandbox/outbound_network.h)
  slirp4netns
  awscli python3-boto3 python3-pytest
  # aws-lambda-ric's native build: curl's buildconf (autoreconf), aws-lambda-cpp (cmake), node-gyp
  autoconf automake libtool make g++ python3
)

# One dpkg-query for all of them (one per package costs seconds).
installed=" $(dpkg-query -W -f='${Package}=${Status}\n' "${packages[@]}" 2>/dev/null |
  sed -n 's/=install ok installed$//p' | tr '\n' ' ' || true) "
missing=()
for p in "${packages[@]}"; do
  [[ "$installed" == *" $p "* ]] || missing+=("$p")
done
# node and npm may come from elsewhere (e.g. NodeSource's nodejs, which bundles npm); Debian's
# packages are the fallback only when they are absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- aws-lambda-ric ---------------------------------------------------------------------------
[ "${LAMINA_SKIP_RIC:-0}" = 1 ] && exit 0

RIC_SRC="$ROOT/tests/e2e/ric"
RIC_DIR="${LAMINA_RIC_DIR:-$ROOT/.cache/ric}"
# What the installed tree was built from: the pinned manifests and the node ABI of the addon.
ric_stamp() {
  { cat "$RIC_SRC/package.json" "$RIC_SRC/package-lock.json"; node --version; } | sha256sum | cut -d' ' -f1
}
ric_installed() {
  [ -f "$RIC_DIR/.lamina-installed" ] && [ "$(cat "$RIC_DIR/.lamina-installed")" = "$(ric_stamp)" ] \
    && [ -f "$RIC_DIR/node_modules/aws-lambda-ric/dist/rapid-client.node" ]
}
ric_installed && exit 0

mkdir -p "$(dirname "$RIC_DIR")"
exec 9>"$RIC_DIR.lock"
flock 9
ric_installed && exit 0  # another run installed it while we waited

echo "install-deps: installing aws-lambda-ric into $RIC_DIR (compiles a native addon; takes minutes)" >&2
started=$(date +%s)
work="$RIC_DIR.tmp.$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp "$RIC_SRC/package.json" "$RIC_SRC/package-lock.json" "$work/"
# node-gyp builds against the local node's headers when the node package ships them, instead of
# downloading them from nodejs.org.
if [ -z "${npm_config_nodedir:-}" ]; then
  nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  [ -f "$nodedir/include/node/common.gypi" ] && export npm_config_nodedir="$nodedir"
fi
# allowScripts in package.json lets aws-lambda-ric's (pre|post)install scripts build the addon.
if ! (cd "$work" && npm ci --no-audit --no-fund --loglevel=warn >"$work/install.log" 2>&1); then
  echo "install-deps: aws-lambda-ric install failed; last lines of its log:" >&2
  tail -40 "$work/install.log" >&2
  exit 1
fi
if [ ! -f "$work/node_modules/aws-lambda-ric/dist/rapid-client.node" ]; then
  echo "install-deps: aws-lambda-ric installed without its native addon (were its install scripts" \
       "blocked?); last lines of its log:" >&2
  tail -40 "$work/install.log" >&2
  exit 1
fi
ric_stamp >"$work/.lamina-installed"
rm -rf "$RIC_DIR"
mv "$work" "$RIC_DIR"
trap - EXIT
echo "install-deps: aws-lambda-ric installed in $(( $(date +%s) - started )) s" >&2
