import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import * as v from 'valibot';

const DRAFT_DB_VERSION = 1;
const IMAGES = 'images';
const IMAGE_KEY = 'current';

/** A File comes back from IndexedDB as a plain Blob in some engines, so the name is kept beside it. */
const StoredImageSchema = v.object({
  blob: v.instance(Blob),
  name: v.string(),
  type: v.string(),
  lastModified: v.number(),
});

type StoredImage = v.InferOutput<typeof StoredImageSchema>;

interface DraftDb extends DBSchema {
  images: { key: string; value: StoredImage };
}

/**
 * The draft image, in its own small database so that history schema upgrades never touch it. The connection
 * opens on first use and again after another tab's upgrade or the browser closed it.
 */
export interface DraftImageDb {
  /** The stored image; null when there is none or what is stored is not one. Rejects when IndexedDB does. */
  read(): Promise<File | null>;
  /** Stores (or with null removes) the image; rejects with what IndexedDB threw. */
  write(image: File | null): Promise<void>;
  close(): void;
}

export function openDraftImageDb(dbName: string): DraftImageDb {
  let connection: Promise<IDBPDatabase<DraftDb>> | null = null;

  const database = (): Promise<IDBPDatabase<DraftDb>> => {
    connection ??= openDB<DraftDb>(dbName, DRAFT_DB_VERSION, {
      upgrade: (db, oldVersion) => {
        if (oldVersion < 1) db.createObjectStore(IMAGES);
      },
      blocking: () => {
        void connection?.then((db) => db.close());
        connection = null;
      },
      terminated: () => {
        connection = null;
      },
    }).catch((error: unknown) => {
      connection = null;
      throw error;
    });
    return connection;
  };

  return {
    async read() {
      const stored = v.safeParse(StoredImageSchema, await (await database()).get(IMAGES, IMAGE_KEY));
      if (!stored.success) return null;
      const { blob, name, type, lastModified } = stored.output;
      return new File([blob], name, { type, lastModified });
    },
    async write(image) {
      const db = await database();
      if (image) await db.put(IMAGES, { blob: image, name: image.name, type: image.type, lastModified: image.lastModified }, IMAGE_KEY);
      else await db.delete(IMAGES, IMAGE_KEY);
    },
    close() {
      void connection?.then((db) => db.close(), () => undefined);
      connection = null;
    },
  };
}
