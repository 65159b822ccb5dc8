#!/usr/bin/python3
"""Issue 19, 4: idle connections against `tps seed`. Opens --idle connections that handshake and then say nothing
(with --keepalive, a keep-alive each minute), then lets one honest libtorrent downloader dial the seeder, and reports
whether and when it finished, with the seeder's memory and CPU. Run with /usr/bin/python3 (it has libtorrent):

    /usr/bin/python3 seeder_slots.py --tps path/to/tps [--idle 1000] [--keepalive] [--seconds 120]
"""
import argparse
import os
import shutil
import socket
import threading
import time

import libtorrent as lt

from hostile_common import free_port, handshake, make_torrent, seed, temp_folder, tps_command


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tps", required=True)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--keepalive", action="store_true")
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--megabytes", type=int, default=16)
    args = parser.parse_args()

    folder = temp_folder("tps-slots-")
    try:
        torrent, info_hash, _ = make_torrent(folder, "slots.bin", args.megabytes * 1024 * 1024, 256 * 1024)
        port = free_port()
        seeder = seed(tps_command(args.tps), torrent, folder, port)
        time.sleep(2)  # the check of the data
        baseline = seeder.rss_mib()

        idle, refused = [], 0
        for i in range(args.idle):
            s = socket.socket()
            s.bind(("127.0.%d.%d" % (20 + i // 250, i % 250 + 2), 0))
            try:
                s.settimeout(10)
                s.connect(("127.0.0.1", port))
                handshake(s, info_hash)
                idle.append(s)
            except OSError:
                refused += 1
                s.close()
        stop = threading.Event()
        if args.keepalive:
            def keep_alive():
                while not stop.wait(60):
                    for s in idle:
                        try:
                            s.sendall(b"\0\0\0\0")
                        except OSError:
                            pass
            threading.Thread(target=keep_alive, daemon=True).start()
        time.sleep(1)
        after_idle = seeder.rss_mib()

        download = os.path.join(folder, "honest")
        os.mkdir(download)
        session = lt.session({
            "listen_interfaces": "127.0.0.250:%d" % free_port("127.0.0.250"), "outgoing_interfaces": "127.0.0.250",
            "enable_upnp": False, "enable_natpmp": False, "enable_lsd": False, "enable_dht": False,
            "enable_outgoing_utp": False, "enable_incoming_utp": False, "max_failcount": 1000,
        })
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
        params.save_path = download
        handle = session.add_torrent(params)
        started = time.time()
        finished = None
        while time.time() - started < args.seconds:
            if int(time.time() - started) % 5 == 0:
                handle.connect_peer(("127.0.0.1", port))
            status = handle.status()
            if status.is_seeding:
                finished = time.time() - started
                break
            time.sleep(0.5)
        got = handle.status().total_wanted_done
        stop.set()
        print("tps:", args.tps)
        print("idle connections opened: %d (refused or failed: %d), keep-alives: %s" % (len(idle), refused, args.keepalive))
        print("honest libtorrent downloader: %s; %d of %d bytes" % (
            "finished in %.1f s" % finished if finished is not None else "not finished in %d s" % args.seconds,
            got, args.megabytes * 1024 * 1024))
        print("seeder RSS: %.0f MiB before, %.0f MiB with the idle connections, %.0f MiB peak; CPU %.1f s" % (
            baseline, after_idle, seeder.peak_mib(), seeder.cpu_seconds()))
        for s in idle:
            s.close()
        seeder.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
