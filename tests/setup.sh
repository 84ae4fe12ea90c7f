#!/usr/bin/env bash
# Installs what gatecrash needs on Debian 12 (run as root): the host and
# kernel toolchains, QEMU for the tcg backend (qemu-system-x86) and the
# qemu-user backend (qemu-user), python3 for the JSON checks, rsync for the
# AFL++ sync test (tests/engines/run_afl_sync.sh), gnuplot-nox for afl-plot
# on campaign directories (tests/engines/check_afl_tools.sh), chromium to
# render the triage HTML report headless (tests/triage/check_html.sh).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(cmake make gcc libc6-dev clang lld libclang-rt-14-dev afl++ rsync qemu-system-x86 qemu-user python3
	gnuplot-nox chromium cpio xz-utils)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "gatecrash: packages present: ${packages[*]}"

# The linux-vm backend's appliance (tests/linuxvm): the pinned Debian kernel
# and busybox-static by apt-get download, once per machine (~72 MB, cached
# under ~/.cache/gatecrash/vm). Without Debian's archive the linux-vm suite
# skips, saying so.
if bash "$(dirname "$0")/../harness/linux-vm/appliance.sh" >/dev/null; then
	echo "gatecrash: linux-vm appliance: $(cat "${XDG_CACHE_HOME:-$HOME/.cache}/gatecrash/vm/current/kernel-version")"
else
	echo "gatecrash: linux-vm appliance not built (tests/linuxvm will skip)"
fi
