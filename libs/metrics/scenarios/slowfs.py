#!/usr/bin/python3
"""Passthrough FUSE filesystem that sleeps before every operation: a stand-in for a NAS whose
per-operation round trip, not bandwidth, limits a copy. Usage: slowfs.py ROOT MOUNTPOINT DELAY_MS"""
import errno
import os
import sys
import time

from fusepy import FUSE, FuseOSError, Operations  # Debian python3-fusepy names the module fusepy


class Slow(Operations):
    def __init__(self, root, delay):
        self.root = os.path.realpath(root)
        self.delay = delay

    def _p(self, path):
        time.sleep(self.delay)  # the simulated round trip
        return self.root + path

    def getattr(self, path, fh=None):
        try:
            st = os.lstat(self._p(path))
        except OSError as e:
            raise FuseOSError(e.errno)
        return {k: getattr(st, k) for k in ('st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')}

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._p(path))

    def readlink(self, path):
        return os.readlink(self._p(path))

    def access(self, path, mode):
        if not os.access(self._p(path), mode):
            raise FuseOSError(errno.EACCES)

    def open(self, path, flags):
        return os.open(self._p(path), flags)

    def read(self, path, size, offset, fh):
        time.sleep(self.delay)
        os.lseek(fh, offset, os.SEEK_SET)
        return os.read(fh, size)

    def release(self, path, fh):
        return os.close(fh)

    def statfs(self, path):
        st = os.statvfs(self._p(path))
        return {k: getattr(st, k) for k in ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}


if __name__ == '__main__':
    root, mnt, delay_ms = sys.argv[1], sys.argv[2], float(sys.argv[3])
    # Read-only, foreground; attr_timeout=0 so every stat pays the delay like an uncached NAS.
    FUSE(Slow(root, delay_ms / 1000.0), mnt, foreground=True, ro=True, nothreads=False, attr_timeout=0, entry_timeout=0)
