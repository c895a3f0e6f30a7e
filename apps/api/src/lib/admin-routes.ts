import type { IRouter, RequestHandler } from 'express';
import { errorBody, ApiError } from './errors.js';
import { requestLog } from './http-fast.js';
import { ModelReloadError, type ModelHolder } from './model-holder.js';

/**
 * POST /admin/reload: the registry's live model read again, built fully and swapped in; a model the
 * holder refuses leaves the live one serving (409). `adminGuard` (admin-auth.ts) lets only admins
 * through, within the reload budget, and only when `holder` exists.
 */
export function adminRoutes(router: IRouter, admin: { holder?: ModelHolder }, adminGuard: RequestHandler): void {
  router.post('/admin/reload', adminGuard, async (req, res) => {
    try {
      const result = await admin.holder!.reloadFresh({ source: 'admin' });
      requestLog(req).info(
        { version: result.version, previous: result.previousVersion, seconds: result.seconds },
        'model reloaded via /admin/reload',
      );
      res.json({
        status: result.status,
        version: result.version,
        previous_version: result.previousVersion,
        dataset: result.dataset,
        seconds: round(result.seconds),
      });
    } catch (error) {
      if (!(error instanceof ModelReloadError)) throw error;
      requestLog(req).warn({ err: error.reason ?? error }, 'model reload refused; the live model keeps serving');
      const status = 409;
      res.status(status).json({ ...errorBody(new ApiError(status, 'model_rejected', error.message)), live_version: error.liveVersion });
    }
  });
}

const round = (x: number) => Math.round(x * 1000) / 1000;
