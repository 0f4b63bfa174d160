#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image (Ubuntu,
# with internet access): it installs Node.js 20 and the kit's dependencies.
# Written into the autograder zip by `wirelab pack gradescope`.
set -euo pipefail

NODE_MAJOR=20
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt "$NODE_MAJOR" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y ca-certificates curl gnupg
  # NodeSource's repository gives the newest 20.x (the kit needs 20.19 or newer).
  curl -fsSL "https://deb.nodesource.com/setup_${NODE_MAJOR}.x" | bash -
  apt-get install -y nodejs
fi
node --version

cd "$SOURCE"
# Exactly the versions of package-lock.json, the ones the kit was checked with.
npm ci --no-audit --no-fund
