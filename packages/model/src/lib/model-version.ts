/** What a version may look like (it names a folder: no separators, no leading dot). */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
