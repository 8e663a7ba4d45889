#!/usr/bin/env bash
# Hands a NIC to DPDK (vfio-pci) or back to its kernel driver; a thin wrapper of Debian's
# dpdk-devbind.py that loads vfio-pci first and refuses an interface that carries routes (the one
# you may be logged in through).
# Usage:
#   scripts/dpdk-bind.sh status
#   scripts/dpdk-bind.sh bind <PCI address | interface> [driver]    (driver: vfio-pci by default)
#   scripts/dpdk-bind.sh unbind <PCI address> <kernel driver>       (e.g. ixgbe, i40e, ice, mlx5_core)
# mlx5 NICs stay on their kernel driver: DPDK drives them through it (bifurcated), no binding needed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v dpdk-devbind.py >/dev/null || die "dpdk-devbind.py not found: apt-get install dpdk"

pci_of() {  # an interface name or a PCI address -> the PCI address
  if [ -e "/sys/class/net/$1/device" ]; then basename "$(readlink -f "/sys/class/net/$1/device")"
  else echo "$1"; fi
}

case "${1:-status}" in
  status)
    dpdk-devbind.py --status-dev net ;;
  bind)
    [ $# -ge 2 ] || die "usage: $0 bind <PCI address | interface> [driver]"
    dev=$2; driver=${3:-vfio-pci}
    if [ -e "/sys/class/net/$dev" ] && ip route show dev "$dev" 2>/dev/null | grep -q .; then
      die "$dev carries routes; take it down first (ip link set $dev down) if it really is the tracker's NIC"
    fi
    pci=$(pci_of "$dev")
    if [ "$driver" = vfio-pci ]; then
      as_root modprobe vfio-pci || die "cannot load vfio-pci (scripts/dpdk-check.sh says what is missing)"
      if [ -z "$(ls -A /sys/kernel/iommu_groups 2>/dev/null)" ]; then
        die "no IOMMU: vfio-pci cannot take $pci (enable VT-d/AMD-Vi, see hugepages/README.md)"
      fi
    fi
    say "binding $pci to $driver"
    as_root dpdk-devbind.py --bind="$driver" "$pci"
    dpdk-devbind.py --status-dev net ;;
  unbind)
    [ $# -eq 3 ] || die "usage: $0 unbind <PCI address> <kernel driver>"
    say "returning $2 to $3"
    as_root dpdk-devbind.py --bind="$3" "$2"
    dpdk-devbind.py --status-dev net ;;
  *)
    die "unknown command '$1' (status, bind, unbind)" ;;
esac
