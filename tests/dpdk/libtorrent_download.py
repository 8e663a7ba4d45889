#!/usr/bin/python3
"""A real BitTorrent download whose only source of peers is the tracker under test: a libtorrent
seeder and leecher (no DHT, LSD or PEX) announce over UDP, and the leecher completes and verifies a
payload of several pieces from the seeder. Run by tests/dpdk/backend_test.cpp inside the client
network namespace, with the tracker behind the DPDK backend.

  libtorrent_download.py --tracker udp://10.77.1.1:6969/announce --bind 10.77.1.2

The seeder runs in a child process: libtorrent keeps one BEP 15 connection id per tracker for the
whole process, and our ids are bound to the client's address and port, so two sessions of one
process would present each other's ids (a real client has one session).

Exit status: 0 done, 1 failed (with the clients' tracker alerts), 77 when python3-libtorrent is missing
(Debian's module loads only under /usr/bin/python3).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from libtorrent_swarm import lt, make_torrent, session, add, alerts, wait_complete, same_file  # noqa: E402

PAYLOAD_BYTES = 2 * 1024 * 1024 + 777  # eight pieces and a short last one


def seed(args):
    """The child: seeds until its parent closes our stdin, then prints its tracker alerts."""
    ses = session(args.bind, outgoing=args.bind)
    add(ses, args.seed, os.path.dirname(args.seed), [args.tracker], True)
    sys.stdin.read()
    print("seeder alerts: %s" % alerts(ses))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracker", required=True)
    ap.add_argument("--bind", required=True)
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--seed", help=argparse.SUPPRESS)  # the child's role: the .torrent beside its payload
    args = ap.parse_args()
    if args.seed:
        return seed(args)

    work = tempfile.mkdtemp(prefix="swarmline-dpdk-lt-")
    seeder = None
    try:
        seed_dir = os.path.join(work, "seed")
        leech_dir = os.path.join(work, "leech")
        os.makedirs(seed_dir)
        os.makedirs(leech_dir)
        payload = os.path.join(seed_dir, "payload.bin")
        torrent_file = os.path.join(seed_dir, "payload.torrent")
        with open(torrent_file, "wb") as f:
            f.write(lt.bencode(make_torrent(seed_dir, PAYLOAD_BYTES)))

        seeder = subprocess.Popen([sys.executable, __file__, "--tracker", args.tracker, "--bind", args.bind,
                                   "--seed", torrent_file], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ses = session(args.bind, outgoing=args.bind)
        leecher = add(ses, torrent_file, leech_dir, [args.tracker], False)
        why = wait_complete(leecher, ses, args.timeout)
        if why:
            out, _ = seeder.communicate(timeout=30)
            print("FAIL: %s; %s" % (why, out))
            return 1
        if not same_file(payload, os.path.join(leech_dir, "payload.bin")):
            print("FAIL: the leecher's copy differs from the seeder's")
            return 1
        print("ok: %d bytes downloaded with peers from %s" % (PAYLOAD_BYTES, args.tracker))
        return 0
    finally:
        if seeder and seeder.poll() is None:
            seeder.kill()
            seeder.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
