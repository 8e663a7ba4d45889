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
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
PAYLOAD_BYTES = 2 * 1024 * 1024 + 777  # eight pieces and a short last one

try:
    import libtorrent as lt
except ImportError:
    print("skipped: python3-libtorrent is not installed (run under /usr/bin/python3)")
    sys.exit(SKIP)


def session(bind):
    return lt.session({
        "listen_interfaces": bind + ":0",
        "outgoing_interfaces": bind,
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "allow_multiple_connections_per_ip": True,  # both clients share the client namespace's address
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.tracker_notification,
    })


def add(ses, torrent_file, save_path, tracker, seed):
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent_file)
    p.save_path = save_path
    p.trackers = [tracker]
    if seed:
        p.flags |= lt.torrent_flags.seed_mode
    return ses.add_torrent(p)


def alerts(ses):
    return ["%s%s" % (a.message(), " (%s)" % a.error.message() if isinstance(a, lt.tracker_error_alert) else "")
            for a in ses.pop_alerts()]


def seed(args):
    """The child: seeds until its parent closes our stdin, then prints its tracker alerts."""
    ses = session(args.bind)
    add(ses, args.seed, os.path.dirname(args.seed), args.tracker, True)
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
        with open(payload, "wb") as f:
            f.write(secrets.token_bytes(PAYLOAD_BYTES))
        fs = lt.file_storage()
        lt.add_files(fs, payload)
        ct = lt.create_torrent(fs, 256 * 1024)
        lt.set_piece_hashes(ct, seed_dir)
        torrent_file = os.path.join(seed_dir, "payload.torrent")
        with open(torrent_file, "wb") as f:
            f.write(lt.bencode(ct.generate()))

        seeder = subprocess.Popen([sys.executable, __file__, "--tracker", args.tracker, "--bind", args.bind,
                                   "--seed", torrent_file], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ses = session(args.bind)
        leecher = add(ses, torrent_file, leech_dir, args.tracker, False)
        deadline = time.monotonic() + args.timeout
        while not leecher.status().is_seeding:
            if time.monotonic() > deadline:
                out, _ = seeder.communicate(timeout=30)
                print("FAIL: the leecher did not complete (%s, %d peers); leecher alerts: %s; %s" % (
                    leecher.status().state, leecher.status().num_peers, alerts(ses), out))
                return 1
            time.sleep(0.2)
        with open(payload, "rb") as a, open(os.path.join(leech_dir, "payload.bin"), "rb") as b:
            if a.read() != b.read():
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
