/**
 * Who may call which operation: the one table the OpenAPI document's `security` is built from
 * (openapi.ts) and the security tests walk (tests/security). The guards that enforce it are
 * authorization.ts (reads, ratings) and the admin guard (admin-auth.ts).
 *
 * - public: anyone, always (liveness, the document itself);
 * - read: anyone unless identity.anonymousReads is off, then a key of any role or a visitor;
 * - ratings: a service or admin key for any user id, a visitor for its own user id only (ratings and taste signals);
 * - admin: an admin key or REELRANK_ADMIN_TOKEN;
 * - operator: the operational reads on the API's port (a reader or admin key; admin-auth.ts OPERATOR_ROLES);
 * - status: anyone learns the status, an admin the details (GET /ready);
 * - visitor: anyone may ask for a visitor identity (limited per client address);
 * - catalogue: a service or admin key (adding, changing and hiding movies).
 */
export type Access = 'public' | 'read' | 'ratings' | 'admin' | 'operator' | 'status' | 'visitor' | 'catalogue';

export const ACCESS: Readonly<Record<string, Access>> = {
  'POST /recommendations': 'read',
  'POST /recommendations/new-user': 'read',
  'POST /predict': 'read',
  'POST /predict/batch': 'read',
  'GET /movies': 'read',
  'GET /movies/search': 'read',
  'GET /movies/{movie_id}': 'read',
  'GET /movies/{movie_id}/similar': 'read',
  'POST /movies': 'catalogue',
  'PATCH /movies/{movie_id}': 'catalogue',
  'POST /ratings': 'ratings',
  'GET /users/{user_id}/ratings': 'ratings',
  'DELETE /users/{user_id}/ratings': 'ratings',
  'DELETE /users/{user_id}/ratings/{movie_id}': 'ratings',
  'POST /signals': 'ratings',
  'GET /users/{user_id}/signals': 'ratings',
  'DELETE /users/{user_id}/signals/{kind}/{movie_id}': 'ratings',
  'POST /admin/reload': 'admin',
  'POST /admin/models/{version}/activate': 'admin',
  'POST /admin/experiments': 'admin',
  'GET /admin/experiments': 'admin',
  'POST /admin/experiments/{id}/conclude': 'admin',
  'GET /models': 'operator',
  'GET /models/{version}': 'operator',
  'GET /metrics': 'operator',
  'GET /metrics/summary': 'operator',
  'GET /metrics/drift': 'operator',
  'GET /dashboard': 'operator',
  'GET /ready': 'status',
  'POST /visitor': 'visitor',
  'GET /health': 'public',
  'GET /openapi.json': 'public',
};

/** The roles each kind of access lets in (the table of docs/api.md). */
export const ROLES_OF: Readonly<Record<Access, readonly string[]>> = {
  public: ['anonymous', 'visitor', 'reader', 'service', 'admin'],
  read: ['anonymous (unless anonymousReads is off)', 'visitor', 'reader', 'service', 'admin'],
  ratings: ['visitor (its own user id)', 'service', 'admin'],
  admin: ['admin'],
  operator: ['reader', 'admin'],
  status: ['anonymous (the status only)', 'admin (the details too)'],
  visitor: ['anonymous', 'visitor'],
  catalogue: ['service', 'admin'],
};

/** The OpenAPI security requirements of an access kind (`{}`: no credentials needed). */
export function securityOf(access: Access, anonymousReads: boolean): Record<string, string[]>[] {
  switch (access) {
    case 'public':
      return [];
    case 'read':
      return anonymousReads ? [{}, { apiKey: [] }, { visitorCookie: [] }] : [{ apiKey: [] }, { visitorCookie: [] }];
    case 'ratings':
      return [{ apiKey: [] }, { visitorCookie: [] }];
    case 'admin':
    case 'operator':
    case 'catalogue':
      return [{ apiKey: [] }];
    case 'status':
      return [{}, { apiKey: [] }];
    case 'visitor':
      return [{}, { visitorCookie: [] }];
  }
}

export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key (`reelrank keys create --role reader|service|admin --name NAME`, printed once) or REELRANK_ADMIN_TOKEN (admin). ' +
      'A wrong or revoked key is a 401, never anonymous.',
  },
  visitorCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'rr_visitor',
    description:
      'The web page visitor identity, set by POST /visitor (signed, HttpOnly, SameSite=Strict): its own user id only. Writes with it need an Origin of this site.',
  },
};
