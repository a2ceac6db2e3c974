#!/usr/bin/python3
"""latencyfs: passthrough FUSE filesystem that sleeps on every operation.

Simulates a NAS whose cost is per-operation round-trip latency (NFS/SMB over a LAN/WAN):
every FUSE request (getattr, readdir, lookup-driven getattr, open, create, mkdir, utimens,
chmod, chown, rename, unlink, rmdir, release, flush, statfs, ...) sleeps --latency-ms, and
read/write sleep --data-latency-ms (default: same as --latency-ms) per chunk (128 KiB with
big_writes). It is multithreaded (nothreads=False): concurrent clients overlap, as they do
against a real NAS, so parallelism pays off the same way.

Usage (foreground; the harness runs it in the background and unmounts it):
  /usr/bin/python3 bench/latencyfs.py BACKING_DIR MOUNTPOINT --latency-ms 1 [--data-latency-ms 1]
      [--attr-timeout 1.0] [--stats FILE] [--allow-other] [--watch-parent]

Module: Debian's python3-fusepy installs /usr/lib/python3/dist-packages/fusepy.py, i.e. the
module is `fusepy` (upstream pip name/module is `fuse`); both are tried. Run it with the system
interpreter (/usr/bin/python3) when a pyenv/venv python shadows dist-packages; as a fallback the
Debian dist-packages directory is appended to sys.path.

Unmount: fusermount -u MOUNTPOINT (or umount -l MOUNTPOINT). SIGINT/SIGTERM also unmount.
With --watch-parent the daemon lazily unmounts itself and exits when its parent process dies,
so a crashed harness never leaves a mount behind.
"""
import argparse
import errno
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections import Counter

try:
    from fusepy import FUSE, FuseOSError, Operations  # Debian python3-fusepy
except ImportError:
    try:
        from fuse import FUSE, FuseOSError, Operations  # pip fusepy
    except ImportError:
        sys.path.append('/usr/lib/python3/dist-packages')
        from fusepy import FUSE, FuseOSError, Operations

DATA_OPS = {'read', 'write'}
NO_DELAY = {'init', 'destroy'}


class LatencyFS(Operations):
    use_ns = True  # exact nanosecond timestamps (floats would round and break rsync's mtime compare)

    def __init__(self, root, latency_s, data_latency_s, stats_file=None):
        self.root = os.path.realpath(root)
        self.latency_s = latency_s
        self.data_latency_s = data_latency_s
        self.stats_file = stats_file
        self.counts = Counter()
        self._mu = threading.Lock()  # NB: not `self.lock`, that name is the FUSE lock op

    def __call__(self, op, *args):
        if op not in NO_DELAY:
            d = self.data_latency_s if op in DATA_OPS else self.latency_s
            if d > 0:
                time.sleep(d)
            with self._mu:
                self.counts[op] += 1
        if not hasattr(self, op):
            raise FuseOSError(errno.ENOSYS)  # e.g. `lock`: ENOSYS makes the kernel do local locks
        return getattr(self, op)(*args)

    def _p(self, path):
        return self.root + path  # FUSE paths are absolute ("/a/b"), never contain ".."

    def destroy(self, path):
        self._dump_stats()

    def _dump_stats(self):
        if self.stats_file:
            with self._mu:
                data = dict(self.counts)
            with open(self.stats_file, 'w') as f:
                json.dump({'ops': data, 'total': sum(data.values())}, f)

    # ---- metadata ----
    def access(self, path, mode):
        if not os.access(self._p(path), mode):
            raise FuseOSError(errno.EACCES)

    def getattr(self, path, fh=None):
        st = os.lstat(self._p(path))
        return {
            'st_mode': st.st_mode, 'st_nlink': st.st_nlink, 'st_uid': st.st_uid, 'st_gid': st.st_gid,
            'st_size': st.st_size, 'st_atime': st.st_atime_ns, 'st_mtime': st.st_mtime_ns,
            'st_ctime': st.st_ctime_ns, 'st_blocks': st.st_blocks, 'st_rdev': st.st_rdev,
        }

    def readdir(self, path, fh):
        # Entry types come with the listing, as NFS READDIRPLUS and SMB2 QUERY_DIRECTORY give
        # them: a client that only needs types (find, rsync's file list) makes no lookup per entry.
        entries = ['.', '..']
        with os.scandir(self._p(path)) as it:
            for e in it:
                mode = (stat.S_IFDIR if e.is_dir(follow_symlinks=False)
                        else stat.S_IFLNK if e.is_symlink()
                        else stat.S_IFREG if e.is_file(follow_symlinks=False) else 0)
                entries.append((e.name, {'st_mode': mode}, 0) if mode else e.name)
        return entries

    def readlink(self, path):
        return os.readlink(self._p(path))

    def chmod(self, path, mode):
        os.chmod(self._p(path), mode)

    def chown(self, path, uid, gid):
        os.lchown(self._p(path), uid, gid)

    def utimens(self, path, times=None):
        if times is None:
            os.utime(self._p(path), None, follow_symlinks=False)
        else:
            os.utime(self._p(path), ns=(int(times[0]), int(times[1])), follow_symlinks=False)

    def truncate(self, path, length, fh=None):
        if fh is not None:
            os.ftruncate(fh, length)
        else:
            os.truncate(self._p(path), length)

    def statfs(self, path):
        sv = os.statvfs(self._p(path))
        return {k: getattr(sv, k) for k in (
            'f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files',
            'f_flag', 'f_frsize', 'f_namemax')}

    # ---- namespace ----
    def mkdir(self, path, mode):
        os.mkdir(self._p(path), mode)

    def rmdir(self, path):
        os.rmdir(self._p(path))

    def unlink(self, path):
        os.unlink(self._p(path))

    def rename(self, old, new):
        os.rename(self._p(old), self._p(new))

    def mknod(self, path, mode, dev):
        os.mknod(self._p(path), mode, dev)

    def symlink(self, target, source):
        # fusepy: symlink(target=link path, source=link content)
        os.symlink(source, self._p(target))

    def link(self, target, source):
        # fusepy: link(target=new name, source=existing path)
        os.link(self._p(source), self._p(target))

    # ---- file I/O ----
    def open(self, path, flags):
        return os.open(self._p(path), flags)

    def create(self, path, mode, fi=None):
        return os.open(self._p(path), os.O_RDWR | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        return os.pwrite(fh, data, offset)

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        if datasync:
            os.fdatasync(fh)
        else:
            os.fsync(fh)

    def release(self, path, fh):
        os.close(fh)
        return 0


def watch_parent(mountpoint, fs):
    ppid = os.getppid()
    while True:
        time.sleep(1.0)
        if os.getppid() != ppid:
            fs._dump_stats()
            subprocess.call(['fusermount', '-u', '-z', mountpoint], stderr=subprocess.DEVNULL)
            os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('root')
    ap.add_argument('mountpoint')
    ap.add_argument('--latency-ms', type=float, default=1.0, help='sleep per metadata/any op (default 1)')
    ap.add_argument('--data-latency-ms', type=float, default=None, help='sleep per read/write chunk (default: --latency-ms)')
    ap.add_argument('--attr-timeout', type=float, default=1.0, help='kernel attr/entry cache seconds (default 1.0, libfuse default)')
    ap.add_argument('--stats', default=None, help='write per-op counts as JSON here at unmount')
    ap.add_argument('--allow-other', action='store_true', help='let other users see the mount (needs user_allow_other unless root)')
    ap.add_argument('--watch-parent', action='store_true', help='unmount and exit when the parent process dies')
    a = ap.parse_args()
    os.umask(0)  # the kernel already applied the caller's umask to create/mkdir modes
    lat = a.latency_ms / 1000.0
    dlat = (a.data_latency_ms if a.data_latency_ms is not None else a.latency_ms) / 1000.0
    fs = LatencyFS(a.root, lat, dlat, a.stats)
    if a.watch_parent:
        threading.Thread(target=watch_parent, args=(a.mountpoint, fs), daemon=True).start()
    opts = dict(foreground=True, nothreads=False, fsname='latencyfs', big_writes=True,
                max_read=131072, max_write=131072, attr_timeout=a.attr_timeout,
                entry_timeout=a.attr_timeout, negative_timeout=0)
    if a.allow_other:
        opts['allow_other'] = True
    FUSE(fs, a.mountpoint, **opts)


if __name__ == '__main__':
    main()
