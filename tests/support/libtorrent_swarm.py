"""Real BitTorrent clients for the end-to-end tests: Debian's python3-libtorrent, configured so that the
tracker under test is the only way a seeder and a leecher can find each other (no DHT, LSD, PEX, UPnP).

Imported by tests/dataplane/e2e_clients.py, tests/torrents/swarm_clients.py and
tests/dpdk/libtorrent_download.py. Importing it exits 77 (the meson "skipped" status) when
python3-libtorrent is missing: Debian's module loads only under /usr/bin/python3.
"""
import os
import secrets
import sys
import time

SKIP = 77

try:
    import libtorrent as lt
except ImportError:
    print("skipped: python3-libtorrent is not installed (run under /usr/bin/python3)")
    sys.exit(SKIP)

PIECE_BYTES = 256 * 1024


def make_torrent(directory, payload_bytes, version="hybrid", private=False):
    """Writes DIR/payload.bin of random bytes and returns its torrent as a dict (no tracker): VERSION
    "v1", "v2" (BEP 52 only: announced by its SHA-256 info hash truncated to 20 bytes) or "hybrid"
    (both hashes), which is what libtorrent 2 makes by default."""
    payload = os.path.join(directory, "payload.bin")
    with open(payload, "wb") as f:
        f.write(secrets.token_bytes(payload_bytes))
    fs = lt.file_storage()
    lt.add_files(fs, payload)
    flags = {"v1": lt.create_torrent.v1_only, "v2": lt.create_torrent.v2_only, "hybrid": 0}[version]
    ct = lt.create_torrent(fs, PIECE_BYTES, flags=flags)
    ct.set_priv(private)
    lt.set_piece_hashes(ct, directory)
    return ct.generate()


def session(bind="127.0.0.1", outgoing=None):
    return lt.session({
        "listen_interfaces": bind + ":0",
        "outgoing_interfaces": outgoing or "",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "ssrf_mitigation": False,  # the tracker is on a private address with a passkey path
        "allow_multiple_connections_per_ip": True,  # every client of a test shares one address
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.tracker_notification,
    })


def add(ses, torrent, save_path, trackers, seed):
    """TORRENT: a .torrent path, a torrent dict or a torrent_info."""
    p = lt.add_torrent_params()
    p.ti = torrent if isinstance(torrent, lt.torrent_info) else lt.torrent_info(torrent)
    p.save_path = save_path
    p.trackers = list(trackers)
    if seed:
        p.flags |= lt.torrent_flags.seed_mode
    return ses.add_torrent(p)


def alerts(ses):
    """The session's pending alerts as text, tracker errors with their reason."""
    return ["%s%s" % (a.message(), " (%s)" % a.error.message() if isinstance(a, lt.tracker_error_alert) else "")
            for a in ses.pop_alerts()]


def versions(ti):
    """The info hashes a client announces TI by: ["v1"], ["v2"] (the SHA-256 truncated to 20 bytes)
    or both for a hybrid torrent, each announced on its own."""
    ih = ti.info_hashes()
    return [v for v, has in (("v1", ih.has_v1()), ("v2", ih.has_v2())) if has]


def wait_announced(handle, ses, timeout):
    """Waits until the tracker has answered HANDLE's announce of each of its info hashes with a reply.
    A tracker error (e.g. a torrent the sync has not yet carried to the tracker) is noted and the
    announce repeated. Returns (peers, log, why): the peer count of each version's first reply
    ({"v1": n, "v2": n}), the tracker's warnings and errors in order, and None or why the answers
    did not come within TIMEOUT seconds."""
    wanted = versions(handle.torrent_file())
    peers, log = {}, []
    deadline = time.monotonic() + timeout
    while len(peers) < len(wanted):
        if time.monotonic() > deadline:
            return peers, log, "the tracker did not answer %s" % [v for v in wanted if v not in peers]
        time.sleep(0.1)
        for a in ses.pop_alerts():
            if isinstance(a, lt.tracker_reply_alert):
                peers.setdefault("v2" if a.version == lt.protocol_version.V2 else "v1", a.num_peers)
            elif isinstance(a, lt.tracker_warning_alert):
                log.append(a.message())
            elif isinstance(a, lt.tracker_error_alert):
                log.append("%s (%s)" % (a.message(), a.error.message()))
                handle.force_reannounce(0, -1, lt.torrent_handle.ignore_min_interval)
    return peers, log, None


def wait_complete(handle, ses, timeout):
    """Waits until HANDLE seeds; returns None, or why it did not within TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    log = []
    while not handle.status().is_seeding:
        log += alerts(ses)
        if time.monotonic() > deadline:
            status = handle.status()
            return "the leecher did not complete (%s, %d peers); its alerts: %s" % (
                status.state, status.num_peers, log[-20:])
        time.sleep(0.2)
    return None


def same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()
