#!/usr/bin/python3
# Captures real tracker requests from real clients (libtorrent, Transmission, aria2) into the
# fuzz seed corpora and the unit-test vectors:
#   /usr/bin/python3 tests/fuzz/capture_requests.py
# A small fake tracker on 127.0.0.1 (HTTP and BEP 15 UDP) records every request byte for byte and
# answers with an empty peer list; each client is pointed at it with a passkey in the URL.
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time

import libtorrent as lt

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "proto", "data")
PASSKEY = "0123456789abcdefABCDEF0123456789"

captured = []  # (client, kind, bytes)
lock = threading.Lock()
current_client = ["?"]


def record(kind, data):
    with lock:
        captured.append((current_client[0], kind, data))


def http_server(sock):
    while True:
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        conn.settimeout(5)
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                buf += chunk
            head = buf[: buf.find(b"\r\n\r\n") + 4]
            record("http", head)
            body = b"d8:intervali1800e5:peers0:e"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        conn.close()


def udp_server(sock):
    while True:
        try:
            data, addr = sock.recvfrom(2048)
        except OSError:
            return
        if len(data) < 16:
            continue
        cid, action, tid = struct.unpack("!QII", data[:16])
        if action == 0:
            record("udp_connect", data)
            sock.sendto(struct.pack("!IIQ", 0, tid, 0x1122334455667788), addr)
        elif action == 1:
            record("udp_announce", data)
            sock.sendto(struct.pack("!IIIII", 1, tid, 1800, 0, 1), addr)
        elif action == 2:
            record("udp_scrape", data)
            n = (len(data) - 16) // 20
            sock.sendto(struct.pack("!II", 2, tid) + b"\0" * 12 * n, addr)


def torrent_with_trackers(src, dst, http_port, udp_port):
    with open(src, "rb") as f:
        t = lt.bdecode(f.read())
    http = f"http://127.0.0.1:{http_port}/{PASSKEY}/announce"
    udp = f"udp://127.0.0.1:{udp_port}/announce/{PASSKEY}"
    t[b"announce"] = http.encode()
    t[b"announce-list"] = [[http.encode()], [udp.encode()]]
    with open(dst, "wb") as f:
        f.write(lt.bencode(t))


def wait_for(client, kinds, timeout):
    end = time.time() + timeout
    while time.time() < end:
        with lock:
            got = {k for c, k, _ in captured if c == client}
        if kinds <= got:
            return True
        time.sleep(0.2)
    return False


def run_libtorrent(torrent, tmp):
    current_client[0] = "libtorrent"
    ses = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                      "enable_upnp": False, "enable_natpmp": False, "announce_to_all_tiers": True,
                      "announce_to_all_trackers": True,
                      # It refuses localhost trackers whose path is not exactly /announce.
                      "ssrf_mitigation": False})
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(torrent)
    atp.save_path = tmp
    h = ses.add_torrent(atp)
    wait_for("libtorrent", {"http", "udp_announce"}, 20)
    h.scrape_tracker()
    wait_for("libtorrent", {"udp_scrape"}, 5)
    ses.remove_torrent(h)  # sends event=stopped
    time.sleep(2)
    del ses


def run_cmd(client, cmd, kinds):
    current_client[0] = client
    if shutil.which(cmd[0]) is None:
        print(f"{client}: {cmd[0]} not installed, skipped")
        return
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(client, kinds, 20)
    finally:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()


def main():
    hs = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    hs.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hs.bind(("127.0.0.1", 0))
    hs.listen(16)
    us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    us.bind(("127.0.0.1", 0))
    threading.Thread(target=http_server, args=(hs,), daemon=True).start()
    threading.Thread(target=udp_server, args=(us,), daemon=True).start()
    tmp = tempfile.mkdtemp()
    try:
        torrent = os.path.join(tmp, "t.torrent")
        torrent_with_trackers(os.path.join(DATA, "lt_v1_multi.torrent"), torrent, hs.getsockname()[1],
                              us.getsockname()[1])
        run_libtorrent(torrent, os.path.join(tmp, "lt"))
        run_cmd("transmission", ["transmission-cli", "-w", os.path.join(tmp, "tr"), "-g", os.path.join(tmp, "trcfg"),
                                 torrent], {"http"})
        run_cmd("aria2", ["aria2c", "--dir", os.path.join(tmp, "a2"), "--enable-dht=false", "--bt-enable-lpd=false",
                          "--listen-port=6901-6999", torrent], {"http"})
    finally:
        shutil.rmtree(tmp)
        hs.close()
        us.close()
    counts = {}
    for client, kind, data in captured:
        target = {"http": "http_request", "udp_connect": "udp_request", "udp_announce": "udp_request",
                  "udp_scrape": "udp_request"}[kind]
        n = counts.get((client, kind), 0)
        counts[(client, kind)] = n + 1
        if n >= 3:
            continue  # a few of each is enough
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{client}_{kind}_{n}"), "wb") as f:
            f.write(data)
    for (client, kind), n in sorted(counts.items()):
        print(f"{client} {kind}: {n}")


if __name__ == "__main__":
    main()
