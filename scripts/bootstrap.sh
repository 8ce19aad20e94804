#!/usr/bin/env bash
# Installs what forklab needs from Debian packages (when missing), then
# configures the build directory. Quick and silent when all is there.
#
# Usage: scripts/bootstrap.sh [BUILD_DIR] [-- MESON_SETUP_OPTIONS...]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
shift || true
[ "${1:-}" = "--" ] && shift

packages=(g++ meson ninja-build pkg-config cmake libcli11-dev doctest-dev nlohmann-json3-dev
  shellcheck git strace)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "forklab: installing ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "forklab: cannot install packages without root. Run:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  meson setup "$build_dir" "$@" >/dev/null
fi
