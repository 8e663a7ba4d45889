#!/usr/bin/python3
# Regenerates the .torrent test vectors and expected.txt with Debian's libtorrent and mktorrent:
#   cd tests/proto/data && /usr/bin/python3 make_torrents.py
# expected.txt holds, per file, what libtorrent itself reports (info_hashes, files, pieces), which
# the unit tests compare our parser against.
import os
import random
import shutil
import subprocess
import tempfile

import libtorrent as lt

HERE = os.path.dirname(os.path.abspath(__file__))


def content(root):
    """A small deterministic tree: sizes cross piece boundaries, one empty file, one nested dir."""
    rnd = random.Random(3)
    files = {
        "alpha.bin": 70000,
        "beta/gamma.txt": 1234,
        "beta/delta/epsilon.dat": 40000,
        "empty.txt": 0,
    }
    for rel, size in files.items():
        p = os.path.join(root, "multi", rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(bytes(rnd.getrandbits(8) for _ in range(size)))
    with open(os.path.join(root, "single.bin"), "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(100000)))


def make_lt(root, rel, flags, out, private=False):
    fs = lt.file_storage()
    lt.add_files(fs, os.path.join(root, rel))
    ct = lt.create_torrent(fs, 16384, flags=flags)
    ct.add_tracker("http://tracker.example/announce")
    ct.set_creator("libtorrent " + lt.__version__)
    ct.set_priv(private)
    lt.set_piece_hashes(ct, root)
    data = lt.bencode(ct.generate())
    with open(os.path.join(HERE, out), "wb") as f:
        f.write(data)


def make_mktorrent(root, rel, out, extra):
    path = os.path.join(HERE, out)
    if os.path.exists(path):
        os.remove(path)
    subprocess.run(["mktorrent", "-l", "15", "-a", "http://tracker.example/announce", "-d", "-o", path, *extra,
                    os.path.join(root, rel)], check=True, stdout=subprocess.DEVNULL)


def describe(name):
    with open(os.path.join(HERE, name), "rb") as f:
        ti = lt.torrent_info(lt.bdecode(f.read()))
    ih = ti.info_hashes()
    v1 = str(ih.v1) if ih.has_v1() else "-"
    v2 = str(ih.v2) if ih.has_v2() else "-"
    fs = ti.files()
    # Padding files are libtorrent's own; count the real ones.
    real = [i for i in range(fs.num_files()) if not fs.file_flags(i) & lt.file_storage.flag_pad_file]
    size = sum(fs.file_size(i) for i in real)
    return f"{name} {v1} {v2} {ti.num_pieces()} {size} {len(real)} {int(ti.priv())}"


def main():
    root = tempfile.mkdtemp()
    try:
        content(root)
        v1 = lt.create_torrent.v1_only
        v2 = lt.create_torrent.v2_only
        make_lt(root, "single.bin", v1, "lt_v1_single.torrent")
        make_lt(root, "multi", v1, "lt_v1_multi.torrent", private=True)
        make_lt(root, "single.bin", v2, "lt_v2_single.torrent")
        make_lt(root, "multi", v2, "lt_v2_multi.torrent")
        make_lt(root, "single.bin", 0, "lt_hybrid_single.torrent")
        make_lt(root, "multi", 0, "lt_hybrid_multi.torrent", private=True)
        make_mktorrent(root, "single.bin", "mktorrent_single.torrent", [])
        make_mktorrent(root, "multi", "mktorrent_multi_private.torrent", ["-p", "-s", "SWARMLINE"])
    finally:
        shutil.rmtree(root)
    names = sorted(n for n in os.listdir(HERE) if n.endswith(".torrent"))
    with open(os.path.join(HERE, "expected.txt"), "w") as f:
        f.write("# file info_hash_v1 info_hash_v2 pieces size_without_padding files_without_padding private (libtorrent's view)\n")
        for n in names:
            f.write(describe(n) + "\n")


if __name__ == "__main__":
    main()
