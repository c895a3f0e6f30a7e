import { callServer } from '../server-calls.js';

/**
 * The servers that answer GET /ready with another model than `live` (the registry's live version). A
 * watcher that starts reloads them, so a reload its predecessor could not make (the server was down,
 * the watcher was stopped or killed first) is not lost. A server that does not answer, is still
 * loading or does not take the credential as an admin's is left to the next training's reload.
 */
export async function serversBehind(urls: string[], token: string, live: string): Promise<{ url: string; serving: string }[]> {
  const behind: { url: string; serving: string }[] = [];
  for (const url of urls) {
    const answer = await callServer(url, '/ready', { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
    const serving = (answer?.body.model as { version?: unknown } | undefined)?.version;
    if (answer?.status === 200 && typeof serving === 'string' && serving !== live) behind.push({ url, serving });
  }
  return behind;
}
