#!/usr/bin/env bash
# Makes a fresh Debian 12 machine with Node 20 ready to run and test the
# extension: Debian packages (when root or with passwordless sudo) and npm
# dependencies. Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# docker.io: private engine; openssh-*: SSH test host; git; debootstrap + tar:
# the local base image; chromium: drives VS Code (code-server); libkrb5-dev,
# python3, make, g++, ripgrep: code-server's native modules and search;
# openssl: certificates for the TLS engine endpoint; util-linux (unshare), mount and
# iproute2 (ip): the private engine's own network namespace; iptables: the
# leftovers layer reads the firewall rules (iptables-save) to prove them unchanged;
# rsync: what `docker-machine scp -d` runs, the deploy bench's baseline.
PACKAGES=(docker.io containerd runc openssh-server openssh-client git debootstrap tar ca-certificates openssl
          chromium libkrb5-dev python3 make g++ ripgrep util-linux mount iproute2 iptables rsync)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    echo "bootstrap: these Debian packages are missing: ${missing[*]}" >&2
    echo "bootstrap: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies, when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund
fi
