/** The per-identity budgets (folds: ratings folded in) (identity-limits.ts); a file of its own so the cluster primary can name them without loading the API. */
export type LimitKind = 'ratings' | 'newUsers' | 'folds';
export const LIMIT_KINDS: readonly LimitKind[] = ['ratings', 'newUsers', 'folds'];
