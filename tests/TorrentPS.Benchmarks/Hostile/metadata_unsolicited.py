#!/usr/bin/python3
"""Issue 19, 7: `tps magnet_download` with one peer (named by the link's x.pe) that answers the metadata request and
then streams ut_metadata data nobody asked for (right size, wrong bytes) without end. Runs --seconds, then reports how
long the peer stayed connected, how many times it was dialled, what tps wrote to stderr, and its memory and CPU.

    python3 metadata_unsolicited.py --tps path/to/tps [--seconds 30] [--log debug]
"""
import argparse
import os
import shutil
import socket
import threading
import time

from hostile_common import Process, bencode, extended, free_port, message, recv_exactly, temp_folder, tps_command, PROTOCOL

OUR_UT_METADATA = 3
SIZE = 5200


class Flooder:
    def __init__(self, info_hash):
        self.info_hash = info_hash
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.252", 0))
        self.listener.listen(16)
        self.endpoint = "127.0.0.252:%d" % self.listener.getsockname()[1]
        self.connections = []  # (connected at, closed at or None, messages sent)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            record = [time.time(), None, 0]
            self.connections.append(record)
            threading.Thread(target=self._serve, args=(conn, record), daemon=True).start()

    def _serve(self, conn, record):
        try:
            recv_exactly(conn, 68)
            reserved = bytearray(8)
            reserved[5] |= 0x10
            conn.sendall(PROTOCOL + bytes(reserved) + self.info_hash + b"-FL0001-" + os.urandom(6).hex().encode())
            conn.sendall(extended(0, bencode({"m": {"ut_metadata": OUR_UT_METADATA}, "metadata_size": SIZE})))
            theirs = None
            while theirs is None:
                length = int.from_bytes(recv_exactly(conn, 4), "big")
                body = recv_exactly(conn, length)
                if length > 1 and body[0] == 20 and body[1] == 0:
                    theirs = int(body.split(b"11:ut_metadatai", 1)[1].split(b"e", 1)[0])
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()
            data = extended(theirs, bencode({"msg_type": 1, "piece": 0, "total_size": SIZE}) + os.urandom(SIZE))
            burst = data * 64
            while True:
                conn.sendall(burst)
                record[2] += 64
        except OSError:
            pass
        finally:
            record[1] = time.time()
            conn.close()

    @staticmethod
    def _drain(conn):
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tps", required=True)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--log", default=None, help="TPS_LOG for tps (debug, information...); its default when omitted")
    args = parser.parse_args()

    folder = temp_folder("tps-munsol-")
    try:
        info_hash = os.urandom(20)
        flooder = Flooder(info_hash)
        env = dict(os.environ)
        if args.log:
            env["TPS_LOG"] = args.log
        link = "magnet:?xt=urn:btih:%s&x.pe=%s" % (info_hash.hex(), flooder.endpoint)
        started = time.time()
        client = Process(tps_command(args.tps) + ["magnet_download", "-o", os.path.join(folder, "out"), link], env=env)
        cpu = 0.0
        while time.time() - started < args.seconds and client.popen.poll() is None:
            cpu = client.cpu_seconds()
            peak = client.peak_mib()
            time.sleep(0.2)
        client.stop()
        print("tps:", args.tps, "TPS_LOG:", args.log or "(default)")
        first = flooder.connections[0] if flooder.connections else None
        print("flooding peer: dialled %d time(s) in %.0f s; the first connection lasted %s and carried %d unasked data messages" % (
            len(flooder.connections), args.seconds,
            "%.2f s" % (first[1] - first[0]) if first and first[1] else "the whole run",
            first[2] if first else 0))
        print("tps stderr: %d lines, %.1f MB; peak RSS %.0f MiB; CPU %.1f s" % (client.lines, client.bytes / 1e6, peak, cpu))
        print("last lines:", *client.tail[-3:], sep="\n  ")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
