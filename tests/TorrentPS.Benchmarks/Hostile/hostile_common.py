"""What the hostile-peer measurements (issue 19) share: a torrent on disk, a `tps seed` started and watched, raw
BitTorrent handshakes, and the memory and CPU of a process read from /proc. Loopback (127.0.0.0/8) only."""
import hashlib
import os
import socket
import struct
import subprocess
import tempfile
import threading
import time

PROTOCOL = b"\x13BitTorrent protocol"


def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"
    raise TypeError(value)


def make_torrent(folder, name, length, piece_length):
    """Random content in folder/name and its .torrent; returns (torrent path, info hash, raw info)."""
    data = os.urandom(length)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)
    pieces = b"".join(hashlib.sha1(data[i:i + piece_length]).digest() for i in range(0, length, piece_length))
    info = {"name": name, "length": length, "piece length": piece_length, "pieces": pieces}
    raw = bencode(info)
    path = os.path.join(folder, name + ".torrent")
    with open(path, "wb") as f:
        f.write(bencode({"info": info}))
    return path, hashlib.sha1(raw).digest(), raw


def free_port(address="127.0.0.1"):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


class Process:
    """A tps command run in the background, its stderr counted (lines and bytes) by a thread."""

    def __init__(self, command, env=None):
        # A test's session: no public DHT router, local discovery on loopback only (see SessionDiscovery).
        env = dict(os.environ if env is None else env, TORRENTPS_TEST="1")
        self.popen = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.lines = 0
        self.bytes = 0
        self.tail = []
        self.first = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stderr:
            self.lines += 1
            self.bytes += len(line)
            if len(self.first) < 20:
                self.first.append(line.decode(errors="replace").rstrip())
            self.tail = (self.tail + [line.decode(errors="replace").rstrip()])[-20:]
            if b"listening on port" in line or b"-> Seeding" in line:
                self.ready.set()

    @property
    def pid(self):
        return self.popen.pid

    def rss_mib(self):
        return status_kib(self.pid, "VmRSS") / 1024

    def peak_mib(self):
        return status_kib(self.pid, "VmHWM") / 1024

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(2)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def handshake(sock, info_hash, peer_id=None, extensions=False):
    reserved = bytearray(8)
    if extensions:
        reserved[5] |= 0x10
    sock.sendall(PROTOCOL + bytes(reserved) + info_hash + (peer_id or b"-HX0001-" + os.urandom(6).hex().encode()))
    answer = recv_exactly(sock, 68)
    return answer[48:68]


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def message(kind, payload=b""):
    return struct.pack(">IB", 1 + len(payload), kind) + payload


def extended(ext_id, body):
    return message(20, bytes([ext_id]) + body)


def seed(tps, torrent, folder, port, env=None):
    """`tps seed` on `port`; returns once it says it listens and a handshake is answered."""
    process = Process(tps + ["seed", "--port", str(port), torrent, folder], env=env)
    if not process.ready.wait(30):
        raise RuntimeError("tps seed did not start: %s" % process.tail)
    return process


def tps_command(path):
    return [path] if os.access(path, os.X_OK) and not path.endswith(".dll") else ["dotnet", path]


def temp_folder(prefix):
    return tempfile.mkdtemp(prefix=prefix)
