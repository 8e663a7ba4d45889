#!/usr/bin/env bash
# Installs the Debian packages of scripts/packages.txt that are missing. Idempotent: when nothing is
# missing it touches nothing and needs no network.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mapfile -t wanted < <(grep -v '^\s*#' "$SWARMLINE_ROOT/scripts/packages.txt" | sed '/^\s*$/d')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "all ${#wanted[@]} packages present"
  exit 0
fi
say "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package starts a system cluster on 5432; Swarmline runs its own under the
# checkout and leaves the system one as the package set it up.
