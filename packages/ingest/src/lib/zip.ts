import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

export interface ExtractZipOptions {
  /** Which files to extract, by their path after flattening (e.g. "ratings.csv"). Default: all. */
  filter?: (name: string) => boolean;
}

/** The one folder every entry sits in (GroupLens zips hold "ml-1m/..."), or '' when there is none. */
export function commonTopFolder(names: readonly string[]): string {
  const files = names.filter((name) => !name.endsWith('/') && !name.startsWith('__MACOSX/'));
  if (files.length === 0) return '';
  const first = files[0].split('/')[0];
  const allInside = files.every((name) => name.includes('/') && name.split('/')[0] === first);
  return allInside ? `${first}/` : '';
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );
}

function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
}

/**
 * Extracts a zip into `destDir`, dropping the single top folder, skipping macOS metadata and
 * refusing entries that would land outside `destDir`. Returns the extracted relative paths.
 */
export async function extractZip(zipPath: string, destDir: string, options: ExtractZipOptions = {}): Promise<string[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipPath);
  } catch (error) {
    throw new Error(`${zipPath} is not a readable zip file: ${(error as Error).message}`, { cause: error });
  }
  try {
    const entries = await readEntries(zip);
    const top = commonTopFolder(entries.map((entry) => entry.fileName));
    const extracted: string[] = [];
    for (const entry of entries) {
      const name = entry.fileName;
      if (name.endsWith('/') || name.startsWith('__MACOSX/')) continue;
      const relative = posix.normalize(name.slice(top.length));
      if (relative.startsWith('../') || posix.isAbsolute(relative)) throw new Error(`Unsafe path in ${zipPath}: ${name}`);
      if (options.filter && !options.filter(relative)) continue;
      const target = join(destDir, ...relative.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      await pipeline(await openEntry(zip, entry), createWriteStream(target));
      extracted.push(relative);
    }
    return extracted;
  } finally {
    zip.close();
  }
}
