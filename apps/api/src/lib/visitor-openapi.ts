import { z } from 'zod';
import { errorResponse, jsonResponse, jsonSchema, type JsonObject } from './openapi-kit.js';

/** POST /visitor in the OpenAPI document (visitors.ts). */
export const visitorResponse = z.object({
  visitor_id: z.string().meta({ description: 'The visitor identity (16 random bytes, base64url)' }),
  user_id: z.number().int().meta({ description: 'The user id of this visitor: its ratings and recommendations' }),
  issued_at: z.string().meta({ description: 'When the cookie was issued (ISO 8601)' }),
  expires_at: z.string().meta({ description: 'When it stops being accepted (identity.visitorMaxAgeDays later)' }),
  new: z.boolean().meta({ description: 'true: a new identity was made and the cookie set; false: the cookie sent is kept' }),
});

export function visitorOpenApi(): { paths: JsonObject; components: Record<string, JsonObject> } {
  return {
    components: { Visitor: jsonSchema(visitorResponse, 'output') },
    paths: {
      '/visitor': {
        post: {
          operationId: 'visitor',
          summary: "The caller's visitor identity: kept, or made and set as a cookie",
          description:
            'For the web page: sets `rr_visitor`, a signed (HMAC-SHA256), HttpOnly, SameSite=Strict cookie (Secure on https) holding a new ' +
            'visitor id and a user id above every data-set user. A valid cookie is kept (200); none, an expired or an altered one gets a ' +
            'new identity (201). New identities are limited per client address (429). Key holders get 400: they name users themselves.',
          responses: {
            '200': jsonResponse('The visitor of the cookie sent', 'Visitor'),
            '201': jsonResponse('A new visitor; its cookie is set', 'Visitor'),
            '400': errorResponse('Sent with an API key', 400, 'not_a_visitor', 'Key holders name their users themselves'),
            '403': errorResponse(
              'From a foreign Origin, or minting is off (identity.anonymousReads false)',
              403,
              'origin_refused',
              'A write with the visitor cookie must come from this site',
            ),
            '429': errorResponse('Too many new visitors from this address (see Retry-After)', 429, 'rate_limited', 'Too many new visitors'),
            '503': errorResponse('No model is loaded yet', 503, 'model_not_ready', 'No model is loaded yet'),
          },
        },
      },
    },
  };
}
