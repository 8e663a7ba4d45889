#!/usr/bin/env bash
# Says in plain words what this host lacks to run swarmline-dataplane with --backend dpdk on a real
# NIC (IOMMU, hugepages and their mount, the vfio-pci driver, a NIC bound to it), and what the
# tests on virtual devices need (/dev/net/tun, network namespaces). Changes nothing.
# Exit status: 0 when a NIC deployment is ready, 1 when something is missing (each item printed).
# Usage: scripts/dpdk-check.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set +e

missing=0
ok() { printf '  ok       %s\n' "$*"; }
lack() { printf '  MISSING  %s\n' "$*"; missing=$((missing + 1)); }
note() { printf '  note     %s\n' "$*"; }

echo "DPDK software"
if pkg-config --exists libdpdk 2>/dev/null || ls /usr/lib/*/librte_eal.so.* >/dev/null 2>&1; then
  ok "DPDK libraries $(pkg-config --modversion libdpdk 2>/dev/null)"
else
  lack "the DPDK libraries: apt-get install dpdk libdpdk-dev"
fi
if command -v dpdk-devbind.py >/dev/null; then ok "dpdk-devbind.py"; else lack "dpdk-devbind.py: apt-get install dpdk"; fi
# Debian builds DPDK for the corei7 baseline (SSE4.2): older CPUs stop at the first vector instruction.
if grep -qw sse4_2 /proc/cpuinfo; then ok "CPU has SSE4.2"; else lack "a CPU with SSE4.2 (Debian's DPDK is built for it)"; fi

echo "Hugepages"
any_pages=0
for d in /sys/kernel/mm/hugepages/hugepages-*; do
  [ -d "$d" ] || continue
  size=${d##*hugepages-}
  total=$(cat "$d/nr_hugepages"); free=$(cat "$d/free_hugepages")
  if [ "$total" -gt 0 ]; then ok "$total pages of $size reserved, $free free"; any_pages=1
  else note "no pages of $size reserved"; fi
done
if [ "$any_pages" -eq 0 ]; then
  lack "reserved hugepages: install hugepages/50-swarmline-hugepages.conf in /etc/sysctl.d (see hugepages/README.md)"
fi
if grep -q ' hugetlbfs ' /proc/mounts; then
  ok "hugetlbfs mounted at $(awk '$3 == "hugetlbfs" {print $2}' /proc/mounts | paste -sd ' ')"
else
  lack "a hugetlbfs mount: install hugepages/dev-hugepages1G.mount or dev-hugepages2M.mount (see hugepages/README.md)"
fi
grep -qw pdpe1gb /proc/cpuinfo && ok "CPU supports 1 GiB pages" || note "CPU has no 1 GiB pages: use 2 MiB pages"

echo "IOMMU and vfio-pci"
if [ -d /sys/kernel/iommu_groups ] && [ -n "$(ls -A /sys/kernel/iommu_groups 2>/dev/null)" ]; then
  ok "IOMMU on ($(ls /sys/kernel/iommu_groups | wc -l) groups)"
else
  lack "an IOMMU: enable VT-d/AMD-Vi in the firmware and add intel_iommu=on iommu=pt (or amd_iommu=on) to the kernel command line (hugepages/grub-swarmline.cfg)"
fi
if [ -d /sys/bus/pci/drivers/vfio-pci ]; then
  ok "vfio-pci driver loaded"
elif modinfo vfio-pci >/dev/null 2>&1; then
  lack "vfio-pci loaded: modprobe vfio-pci (and add it to /etc/modules-load.d/)"
else
  lack "the vfio-pci kernel module (this kernel has no module for it)"
fi
[ -e /dev/vfio/vfio ] && ok "/dev/vfio/vfio" || note "/dev/vfio/vfio appears once vfio-pci is loaded"

echo "Network devices"
bound=0
if command -v dpdk-devbind.py >/dev/null; then
  status=$(dpdk-devbind.py --status-dev net 2>/dev/null)
  bound=$(printf '%s\n' "$status" | awk '/DPDK-compatible driver/ {f=1; next} /^$/ {f=0} f && /drv=/' | wc -l)
  kernel=$(printf '%s\n' "$status" | awk '/kernel driver/ {f=1; next} /^$/ {f=0} f && /drv=/' | wc -l)
  if [ "$bound" -gt 0 ]; then ok "$bound NIC(s) bound to a DPDK driver"
  elif [ "$kernel" -gt 0 ]; then lack "a NIC bound to vfio-pci: scripts/dpdk-bind.sh bind <PCI address or interface>"
  else lack "a PCI network device (none found: a VM without a passed-through NIC can still run the virtual-device set-up)"; fi
fi

echo "Virtual devices (tests, and the kernel exception path)"
[ -c /dev/net/tun ] && ok "/dev/net/tun (net_tap exception interface)" || lack "/dev/net/tun: modprobe tun"
if [ "$(id -u)" -eq 0 ] && ip netns add swl-check-$$ 2>/dev/null; then
  ip netns del swl-check-$$; ok "network namespaces (the tests' veth + net_af_packet set-up)"
else
  note "network namespaces not tried (needs root)"
fi

echo
if [ "$missing" -eq 0 ]; then echo "Ready for --backend dpdk on a NIC."; exit 0; fi
echo "$missing item(s) missing for a NIC deployment; the virtual-device tests need only the last section."
exit 1
