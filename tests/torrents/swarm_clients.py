#!/usr/bin/python3
"""Real BitTorrent clients (Debian's python3-libtorrent) for the site's end-to-end test.

  swarm_clients.py make DIR OUT.torrent          payload in DIR and its hybrid .torrent (no tracker)
  swarm_clients.py swarm SEED.torrent LEECH.torrent DIR --transport udp|http

`swarm` seeds DIR with the uploader's downloaded .torrent in one process and downloads it with a
member's downloaded .torrent in another (libtorrent caches UDP connection ids per tracker address
within a process, and two members are two hosts in life), using only the announce URLs of the
given transport from each file: the tracker is the only way the two find each other (no DHT, LSD
or PEX). Exits 0 when the leecher's copy is complete and equal to the payload; 77 (skipped) when
python3-libtorrent is missing.
"""
import argparse
import os
import secrets
import signal
import sys
import tempfile
import time

try:
    import libtorrent as lt
except ImportError:
    print("skipped: python3-libtorrent is not installed (run under /usr/bin/python3)")
    sys.exit(77)

PAYLOAD_BYTES = 2 * 1024 * 1024 + 4321  # several 256 KiB pieces and a short last one


def make(directory, out):
    payload = os.path.join(directory, "payload.bin")
    with open(payload, "wb") as f:
        f.write(secrets.token_bytes(PAYLOAD_BYTES))
    fs = lt.file_storage()
    lt.add_files(fs, payload)
    ct = lt.create_torrent(fs, 256 * 1024)
    lt.set_piece_hashes(ct, directory)
    with open(out, "wb") as f:
        f.write(lt.bencode(ct.generate()))
    return 0


def session():
    return lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "ssrf_mitigation": False,  # the tracker is on loopback with a passkey path
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.tracker_notification,
    })


def add(ses, torrent, save_path, transport, seed):
    ti = lt.torrent_info(torrent)
    urls = [t.url for t in ti.trackers() if t.url.startswith(transport + "://")]
    if len(urls) != 1:
        print("FAIL: %s has %d %s announce URLs: %s" % (torrent, len(urls), transport, [t.url for t in ti.trackers()]))
        sys.exit(1)
    p = lt.add_torrent_params()
    p.ti = ti
    p.save_path = save_path
    p.trackers = urls
    if seed:
        p.flags |= lt.torrent_flags.seed_mode
    return ses.add_torrent(p)


def swarm(seed_torrent, leech_torrent, directory, transport):
    seeder_pid = os.fork()
    if seeder_pid == 0:
        ses = session()
        add(ses, seed_torrent, directory, transport, True)
        while True:  # until the parent ends it
            time.sleep(0.5)
            ses.pop_alerts()
    try:
        leech_dir = tempfile.mkdtemp(prefix="swarmline-leech-")
        ses = session()
        h = add(ses, leech_torrent, leech_dir, transport, False)
        deadline = time.monotonic() + 120
        log = []
        while not h.status().is_seeding:
            log += [a.message() for a in ses.pop_alerts()]
            if time.monotonic() > deadline:
                print("FAIL: the leecher did not complete (%s); its tracker log: %s" % (h.status().state, log[-20:]))
                return 1
            time.sleep(0.2)
        name = lt.torrent_info(leech_torrent).name()
        with open(os.path.join(directory, "payload.bin"), "rb") as a, open(os.path.join(leech_dir, name), "rb") as b:
            if a.read() != b.read():
                print("FAIL: the leecher's copy differs from the payload")
                return 1
        # Removing the torrent announces `stopped` with the final counters.
        ses.remove_torrent(h)
        print("ok: leecher completed %d bytes over %s" % (PAYLOAD_BYTES, transport))
        return 0
    finally:
        os.kill(seeder_pid, signal.SIGKILL)
        os.waitpid(seeder_pid, 0)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("dir")
    m.add_argument("out")
    s = sub.add_parser("swarm")
    s.add_argument("seed_torrent")
    s.add_argument("leech_torrent")
    s.add_argument("dir")
    s.add_argument("--transport", choices=["udp", "http"], required=True)
    args = ap.parse_args()
    if args.cmd == "make":
        return make(args.dir, args.out)
    return swarm(args.seed_torrent, args.leech_torrent, args.dir, args.transport)


if __name__ == "__main__":
    sys.exit(main())
