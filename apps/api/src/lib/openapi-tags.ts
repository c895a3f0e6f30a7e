import type { JsonObject } from './openapi-kit.js';

/**
 * The document's tags, in the order Swagger UI shows them, and which paths each one holds (the first
 * rule that matches a path wins). Every operation gets exactly one tag; a path no rule matches fails
 * the document's construction, so a new route cannot land untagged under "default".
 */
const TAGS: ReadonlyArray<{ name: string; description: string; paths: RegExp }> = [
  {
    name: 'recommendations',
    description: 'Top-N movies for a user, a brand-new user, and predicted ratings',
    paths: /^\/(recommendations|predict)(\/|$)/,
  },
  { name: 'movies', description: 'The catalogue: search, one movie, similar movies', paths: /^\/movies(\/|$)/ },
  {
    name: 'ratings',
    description: "Ratings (and taste signals) users post, read and withdraw: each user's own",
    paths: /^\/(ratings|signals|users)(\/|$)/,
  },
  { name: 'identity', description: "The page's visitors: a signed cookie naming one user", paths: /^\/visitor$/ },
  {
    name: 'models',
    description: 'Trained model versions: list, inspect, activate, reload, compare online',
    paths: /^\/(models(\/|$)|admin\/(reload|models|experiments)(\/|$))/,
  },
  {
    name: 'operations',
    description: 'Liveness, readiness, metrics, the dashboard and this document',
    paths: /^\/(health|ready|metrics|dashboard|openapi\.json)(\/|$)/,
  },
  { name: 'admin', description: 'Other administration', paths: /^\/admin\// },
];

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** Sets each operation's tag; returns the document's `tags` list (only tags in use, in display order). */
export function applyTags(paths: Record<string, unknown>): { name: string; description: string }[] {
  const used = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    const tag = TAGS.find((t) => t.paths.test(path));
    if (!tag) throw new Error(`OpenAPI path ${path} matches no tag of openapi-tags.ts`);
    for (const [method, operation] of Object.entries(item as Record<string, JsonObject>)) {
      if (!METHODS.has(method)) continue;
      operation.tags = [tag.name];
      used.add(tag.name);
    }
  }
  return TAGS.filter((t) => used.has(t.name)).map(({ name, description }) => ({ name, description }));
}
