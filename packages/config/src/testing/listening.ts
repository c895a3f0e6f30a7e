import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An in-process server of a spec: its base URL, and `close` for afterAll. */
export interface Listening {
  base: string;
  close(): Promise<void>;
}

/** Serves `handler` (an express app, say) on a free port of 127.0.0.1. */
export async function listenOnLoopback(handler: RequestListener): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
