import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Tells whether any connection, of this process or another, committed to a WAL-mode SQLite file
 * since the last look, for the price of one 48-byte read.
 *
 * The `-shm` file starts with the wal-index header (https://www.sqlite.org/walformat.html, "The
 * WAL-Index Header"): its change counter, last valid frame and checksums change with every commit,
 * and its salts with every WAL reset. Every connection to the file, in any process and of any SQLite
 * version, reads and writes that same header, so its layout does not change. A read torn by a commit
 * in progress differs from the last one and counts as a change, the safe side. Where the file has no
 * `-shm` (not WAL mode, or not opened yet), every look counts as a change.
 */
export interface WalChanges {
  /** True when the header differs from the previous look's (and on the first look). */
  changed(): boolean;
  close(): void;
}

const HEADER_BYTES = 48;

export function watchWalChanges(databasePath: string): WalChanges {
  let fd: number | undefined;
  try {
    fd = openSync(`${databasePath}-shm`, 'r');
  } catch {
    fd = undefined;
  }
  const last = Buffer.alloc(HEADER_BYTES);
  const now = Buffer.alloc(HEADER_BYTES);
  let seen = false;
  return {
    changed() {
      if (fd === undefined) return true;
      if (readSync(fd, now, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return true;
      if (seen && now.equals(last)) return false;
      now.copy(last);
      seen = true;
      return true;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
