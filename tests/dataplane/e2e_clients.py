#!/usr/bin/python3
"""End to end with real BitTorrent clients: a seeder and a leecher complete the download of a private
torrent through swarmline-dataplane alone (no DHT, LSD or PEX), and their transfer arrives in the
dataplane's event rings under the right user and torrent.

  e2e_clients.py --dataplane EXE --shm-tool EXE --transport udp|http --leecher libtorrent|aria2

Runs under Debian's /usr/bin/python3 (python3-libtorrent); exits 77 (skipped) when a client is missing.
"""
import argparse
import os
import queue
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from libtorrent_swarm import SKIP, lt, make_torrent, session, add, alerts, wait_complete, same_file  # noqa: E402

PAYLOAD_BYTES = 3 * 1024 * 1024 + 12345  # several pieces and a short last one
TORRENT_ID = 42
SEEDER, LEECHER = 11, 12


def fail(msg, dataplane=None):
    print("FAIL:", msg)
    if dataplane:
        print("dataplane log:\n" + "".join(dataplane.log))
    sys.exit(1)


class Dataplane:
    """swarmline-dataplane on free ports with its own segment; ready when it logs msg=ready."""

    def __init__(self, exe, shm):
        self.log = []
        self.proc = subprocess.Popen(
            # Two UDP addresses: libtorrent caches a connection id per tracker address for the whole
            # process, and the id is bound to the client's port, so the seeder's and the leecher's
            # sessions (one process here, two hosts in life) each get their own tracker address.
            [exe, "--udp", "127.0.0.1:0", "--udp", "127.0.0.2:0", "--http", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--workers", "2",
             "--shm", shm, "--peers-per-shard", "4096", "--v6-peers-per-shard", "1024", "--torrents-per-shard", "1024",
             "--users", "1024", "--torrents", "1024", "--tokens", "1024", "--event-ring", "4096",
             "--accumulator", "1024"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines = queue.Queue()

        def pump():
            for line in self.proc.stderr:
                self.log.append(line)
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 20
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                fail("the dataplane did not log msg=ready", self)
            if line is None:
                fail("the dataplane exited before it was ready", self)
            if "msg=ready" in line:
                self.udp = re.search(r" udp=([^ ]+)", line).group(1).split(",")
                self.http = re.search(r" http=([^ ]+)", line).group(1).split(",")[0]
                self.admin = re.search(r" admin=([^ ]+)", line).group(1)
                return

    def announces(self):
        """Announces answered so far, both protocols (from /metrics)."""
        body = urllib.request.urlopen("http://%s/metrics" % self.admin, timeout=10).read().decode()
        return sum(int(m.group(1)) for m in re.finditer(
            r'^swarmline_requests_total\{protocol="(?:udp|http)",request="announce",outcome="ok"\} (\d+)$',
            body, re.M))

    def wait_for_announces(self, count, sessions):
        deadline = time.monotonic() + 60
        while self.announces() < count:
            if time.monotonic() > deadline:
                body = urllib.request.urlopen("http://%s/metrics" % self.admin, timeout=10).read().decode()
                fail("the dataplane answered %d announces, expected %d; %s" % (
                    self.announces(), count, [l for l in body.splitlines() if l.startswith("swarmline_requests")])
                    + "; clients: %s" % [tracker_log(s) for s in sessions], self)
            time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -9



def tracker_url(transport, dataplane, passkey, form, udp_index=0):
    if transport == "udp":
        # libtorrent sends the path as BEP 41 URL data.
        return "udp://%s/announce/%s" % (dataplane.udp[udp_index], passkey)
    if form == "query":
        return "http://%s/announce?passkey=%s" % (dataplane.http, passkey)
    return "http://%s/%s/announce" % (dataplane.http, passkey)



def events(shm_tool, shm):
    out = subprocess.run([shm_tool, shm, "events"], capture_output=True, text=True, timeout=30).stdout
    return [dict(kv.split("=", 1) for kv in line.split()) for line in out.splitlines()]


def check_events(shm_tool, shm, want, dataplane):
    """Each (user, field) has a record for our torrent with that counter at the payload size or more."""
    recs = events(shm_tool, shm)
    missing = [(u, f) for (u, f) in want
               if not any(int(r["user"]) == u and int(r["torrent"]) == TORRENT_ID and int(r[f]) >= PAYLOAD_BYTES
                          for r in recs)]
    if missing:
        fail("the event rings hold no record for %s; records: %s" % (missing, recs), dataplane)
    return recs


def free_tcp_port():
    """A port the kernel just had free (aria2 takes a port number, not 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tracker_log(ses):
    return alerts(ses)[-20:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataplane", required=True)
    ap.add_argument("--shm-tool", required=True)
    ap.add_argument("--transport", choices=["udp", "http"], required=True)
    ap.add_argument("--leecher", choices=["libtorrent", "aria2"], default="libtorrent")
    args = ap.parse_args()
    if args.leecher == "aria2" and not shutil.which("aria2c"):
        print("skipped: aria2c is not installed")
        return SKIP

    work = tempfile.mkdtemp(prefix="swarmline-e2e-")
    shm = "/dev/shm/swarmline-e2e-%d-%s" % (os.getpid(), secrets.token_hex(4))
    # The dataplane creates the segment; the users and the torrent are written into it while it runs,
    # as control does.
    dataplane = Dataplane(args.dataplane, shm)
    try:
        seed_dir = os.path.join(work, "seed")
        leech_dir = os.path.join(work, "leech")
        os.makedirs(seed_dir)
        os.makedirs(leech_dir)
        # aria2 1.36 knows only v1 torrents (it hashes a hybrid's info dictionary differently).
        torrent = make_torrent(seed_dir, PAYLOAD_BYTES, version="v1" if args.leecher == "aria2" else "hybrid", private=True)
        # libtorrent 2 makes hybrid torrents: the v1 hash and the v2 hash truncated to 20 bytes both
        # name the torrent (control registers both), and the client announces both.
        hashes = lt.torrent_info(torrent).info_hashes()
        names = [str(hashes.v1)] + ([str(hashes.v2)[:40]] if hashes.has_v2() else [])
        keys = {SEEDER: secrets.token_hex(16), LEECHER: secrets.token_hex(16)}
        for user, key in keys.items():
            subprocess.run([args.shm_tool, shm, "add-user", key, str(user)], check=True, timeout=30)
        for name in names:
            subprocess.run([args.shm_tool, shm, "add-torrent", name, str(TORRENT_ID)], check=True, timeout=30)

        seeder_ses = session()
        seeder = add(seeder_ses, torrent, seed_dir, [tracker_url(args.transport, dataplane, keys[SEEDER], "path")], True)

        if args.leecher == "libtorrent":
            leecher_ses = session()
            leecher = add(leecher_ses, torrent, leech_dir,
                          [tracker_url(args.transport, dataplane, keys[LEECHER], "path", 1)], False)
            why = wait_complete(leecher, leecher_ses, 120)
            if why:
                fail("%s; seeder tracker: %s" % (why, tracker_log(seeder_ses)), dataplane)
            # A removed torrent announces `stopped` with its final counters.
            before = dataplane.announces()
            leecher_ses.remove_torrent(leecher)
            dataplane.wait_for_announces(before + 1, [seeder_ses, leecher_ses])
        else:
            torrent_file = os.path.join(work, "aria2.torrent")
            with_tracker = dict(torrent)
            with_tracker[b"announce"] = tracker_url("http", dataplane, keys[LEECHER], "query").encode()
            with open(torrent_file, "wb") as f:
                f.write(lt.bencode(with_tracker))
            aria_log = os.path.join(work, "aria2.log")
            try:
                aria = subprocess.run(
                ["aria2c", "--dir", leech_dir, "--log", aria_log, "--log-level=info", "--seed-time=0", "--enable-dht=false", "--enable-dht6=false",
                 "--enable-peer-exchange=false", "--bt-enable-lpd=false", "--disable-ipv6=true",
                 "--listen-port=%d" % free_tcp_port(), "--summary-interval=0",
                 "--console-log-level=warn", "--follow-torrent=false", torrent_file],
                capture_output=True, text=True, timeout=100)
            except subprocess.TimeoutExpired:
                with open(aria_log) as f:
                    fail("aria2c did not finish; its log ends: %s; seeder tracker: %s" % (
                        f.read()[-4000:], tracker_log(seeder_ses)), dataplane)
            if aria.returncode != 0:
                fail("aria2c failed (%d): %s %s; seeder tracker: %s" % (
                    aria.returncode, aria.stdout[-2000:], aria.stderr[-2000:], tracker_log(seeder_ses)), dataplane)
        if not same_file(os.path.join(seed_dir, "payload.bin"), os.path.join(leech_dir, "payload.bin")):
            fail("the leecher's copy differs from the seeder's", dataplane)
        before = dataplane.announces()
        seeder_ses.remove_torrent(seeder)
        dataplane.wait_for_announces(before + 1, [seeder_ses])
        recs = check_events(args.shm_tool, shm, [(SEEDER, "uploaded_total"), (LEECHER, "downloaded_total")], dataplane)
        status = dataplane.stop()
        if status != 0:
            fail("the dataplane exited with %s on SIGTERM" % status, dataplane)
        print("ok: %s leecher over %s completed %d bytes; %d event records" % (
            args.leecher, args.transport, PAYLOAD_BYTES, len(recs)))
        return 0
    finally:
        if dataplane.proc.poll() is None:
            dataplane.proc.kill()
        shutil.rmtree(work, ignore_errors=True)
        if os.path.exists(shm):
            os.unlink(shm)


if __name__ == "__main__":
    sys.exit(main())
