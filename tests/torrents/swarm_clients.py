#!/usr/bin/python3
"""Real BitTorrent clients (Debian's python3-libtorrent) for the site's end-to-end test.

  swarm_clients.py make DIR OUT.torrent [--version hybrid|v1|v2]
                                                 payload in DIR and its .torrent (no tracker)
  swarm_clients.py announce TORRENT DIR --transport udp|http
  swarm_clients.py swarm SEED.torrent LEECH.torrent DIR --transport udp|http

`announce` seeds DIR with a downloaded .torrent until the tracker has answered each of its info
hashes, prints the answers ("v1 reply: N peers", the tracker's warnings) and stops.

`swarm` seeds DIR with the uploader's downloaded .torrent in one process and downloads it with a
member's downloaded .torrent in another (libtorrent caches UDP connection ids per tracker address
within a process, and two members are two hosts in life), using only the announce URLs of the
given transport from each file: the tracker is the only way the two find each other (no DHT, LSD
or PEX). The leecher starts once the tracker has answered the seeder for each info hash, and its
own first reply for each (both, for a hybrid torrent: v1 and the truncated v2) must name a peer.
Exits 0 when the leecher's copy is complete and equal to the payload; 77 (skipped) when
python3-libtorrent is missing.
"""
import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from libtorrent_swarm import lt, make_torrent, session, add, wait_announced, wait_complete, same_file  # noqa: E402

PAYLOAD_BYTES = 2 * 1024 * 1024 + 4321  # several 256 KiB pieces and a short last one


def make(directory, out, version):
    with open(out, "wb") as f:
        f.write(lt.bencode(make_torrent(directory, PAYLOAD_BYTES, version)))
    return 0


def add_for(ses, torrent, save_path, transport, seed):
    with open(torrent, "rb") as f:
        meta = lt.bdecode(f.read())
    ti = lt.torrent_info(meta)
    urls = [t.url for t in ti.trackers() if t.url.startswith(transport + "://")]
    if len(urls) != 1:
        print("FAIL: %s has %d %s announce URLs: %s" % (torrent, len(urls), transport, [t.url for t in ti.trackers()]))
        sys.exit(1)
    # The client is given only that URL: libtorrent would announce to the file's others as well (it
    # adds a torrent's own trackers to those given, and prefers UDP ones). The info dictionary, and
    # so the info hashes, stay as downloaded.
    del meta[b"announce"]
    meta.pop(b"announce-list", None)
    return add(ses, lt.torrent_info(meta), save_path, urls, seed)


def announce(torrent, directory, transport):
    ses = session()
    h = add_for(ses, torrent, directory, transport, True)
    peers, log, why = wait_announced(h, ses, 60)
    for line in log:
        print(line)
    for version, n in sorted(peers.items()):
        print("%s reply: %d peers" % (version, n))
    # Removing the torrent announces `stopped`, so the swarm does not keep this seeder.
    ses.remove_torrent(h)
    if why:
        print("FAIL: " + why)
        return 1
    return 0


def swarm(seed_torrent, leech_torrent, directory, transport):
    ready_r, ready_w = os.pipe()
    seeder_pid = os.fork()
    if seeder_pid == 0:
        os.close(ready_r)
        ses = session()
        h = add_for(ses, seed_torrent, directory, transport, True)
        why = wait_announced(h, ses, 60)[2]
        os.write(ready_w, (why or "ready").encode())
        os.close(ready_w)
        while True:  # until the parent ends it
            time.sleep(0.5)
            ses.pop_alerts()
    leech_dir = tempfile.mkdtemp(prefix="swarmline-leech-")
    try:
        os.close(ready_w)
        ready = os.read(ready_r, 4096).decode()
        if ready != "ready":
            print("FAIL: the seeder: " + ready)
            return 1
        ses = session()
        h = add_for(ses, leech_torrent, leech_dir, transport, False)
        peers, log, why = wait_announced(h, ses, 60)
        if why or min(peers.values()) < 1:
            print("FAIL: the leecher's tracker replies: %s %s; %s" % (peers, why or "(a reply without the seeder)", log))
            return 1
        why = wait_complete(h, ses, 120)
        if why:
            print("FAIL: " + why)
            return 1
        name = lt.torrent_info(leech_torrent).name()
        if not same_file(os.path.join(directory, "payload.bin"), os.path.join(leech_dir, name)):
            print("FAIL: the leecher's copy differs from the payload")
            return 1
        # Removing the torrent announces `stopped` with the final counters.
        ses.remove_torrent(h)
        print("ok: leecher completed %d bytes over %s; its tracker replies: %s" % (
            PAYLOAD_BYTES, transport, ", ".join("%s %d peers" % vp for vp in sorted(peers.items()))))
        return 0
    finally:
        os.kill(seeder_pid, signal.SIGKILL)
        os.waitpid(seeder_pid, 0)
        shutil.rmtree(leech_dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("dir")
    m.add_argument("out")
    m.add_argument("--version", choices=["hybrid", "v1", "v2"], default="hybrid")
    a = sub.add_parser("announce")
    a.add_argument("torrent")
    a.add_argument("dir")
    a.add_argument("--transport", choices=["udp", "http"], required=True)
    s = sub.add_parser("swarm")
    s.add_argument("seed_torrent")
    s.add_argument("leech_torrent")
    s.add_argument("dir")
    s.add_argument("--transport", choices=["udp", "http"], required=True)
    args = ap.parse_args()
    if args.cmd == "make":
        return make(args.dir, args.out, args.version)
    if args.cmd == "announce":
        return announce(args.torrent, args.dir, args.transport)
    return swarm(args.seed_torrent, args.leech_torrent, args.dir, args.transport)


if __name__ == "__main__":
    sys.exit(main())
