/**
 * The serialised answers of plain POST /recommendations requests (a user id and n, no filters), so
 * a user asking again gets the same bytes without their list being built and serialised again.
 *
 * An answer depends on the model, the user's posted ratings and whether the caller may see which
 * ratings explain it; an entry is kept per model (a reloaded model starts afresh), keyed by user, n
 * and that visibility, and is valid only for the fold-in it was computed from (the FoldedUser
 * object, or none): a new posted rating gives a new fold-in and so a miss. The least recently used
 * entries go beyond `maxEntries`; 0 keeps none.
 */
export interface CachedAnswer {
  /** The answer's JSON text. */
  body: string;
  strategy: string;
  /** The movies shown, for the metrics and the online evaluation, which count every answer. */
  movies: readonly { movie_id: number }[];
}

interface Entry extends CachedAnswer {
  basis: object | undefined;
}

export class AnswerCache {
  private readonly byModel = new WeakMap<object, Map<string, Entry>>();

  constructor(private readonly maxEntries: number) {}

  static key(userId: number, n: number, seesRatings: boolean): string {
    return `${userId}:${n}:${seesRatings ? 1 : 0}`;
  }

  /** The answer cached for `key` under `model`, if it was computed from the same fold-in `basis`. */
  get(model: object, key: string, basis: object | undefined): CachedAnswer | undefined {
    const entries = this.byModel.get(model);
    const entry = entries?.get(key);
    if (!entry || entry.basis !== basis) return undefined;
    entries!.delete(key); // most recently used last
    entries!.set(key, entry);
    return entry;
  }

  set(model: object, key: string, basis: object | undefined, answer: CachedAnswer): void {
    if (this.maxEntries === 0) return;
    let entries = this.byModel.get(model);
    if (!entries) this.byModel.set(model, (entries = new Map()));
    entries.delete(key);
    // Only the ids of the movies shown: the full entries would stay on the heap as long as the text.
    entries.set(key, { body: answer.body, strategy: answer.strategy, movies: answer.movies.map(({ movie_id }) => ({ movie_id })), basis });
    if (entries.size > this.maxEntries) entries.delete(entries.keys().next().value as string);
  }
}
