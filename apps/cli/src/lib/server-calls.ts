import { CliFailure } from './errors.js';

/** The CLI's calls of a running server (`models --url`, `retrain --reload`): JSON in, its error shape turned into a CliFailure. */

export async function callServer(url: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(new URL(path, url), init);
  } catch (error) {
    throw new CliFailure(`cannot reach ${url}: ${(error as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, body };
}

export const serverError = (status: number, body: Record<string, unknown>) => {
  const error = body.error as { code?: string; message?: string } | undefined;
  return new CliFailure(`the server answered ${status}${error?.code ? ` ${error.code}` : ''}: ${error?.message ?? 'no details'}`);
};
