#!/usr/bin/python3
"""A v2-only .torrent (BEP 52, no v1 info hash) of a fresh payload, for the site's end-to-end test:
announced by libtorrent with its SHA-256 info hash truncated to 20 bytes.

  make_v2_only.py DIR OUT.torrent      payload in DIR/payload.bin, as `swarm_clients.py make` writes it

Exits 77 (skipped) when python3-libtorrent is missing.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from swarm_clients import PAYLOAD_BYTES  # noqa: E402
from libtorrent_swarm import PIECE_BYTES, lt, make_torrent  # noqa: E402


def main(directory, out):
    make_torrent(directory, PAYLOAD_BYTES)  # writes the payload; its hybrid torrent is not used
    fs = lt.file_storage()
    lt.add_files(fs, os.path.join(directory, "payload.bin"))
    ct = lt.create_torrent(fs, PIECE_BYTES, flags=lt.create_torrent.v2_only)
    lt.set_piece_hashes(ct, directory)
    with open(out, "wb") as f:
        f.write(lt.bencode(ct.generate()))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
