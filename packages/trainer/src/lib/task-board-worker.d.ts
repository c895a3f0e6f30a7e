// Types of task-board-worker.js (plain CommonJS so worker threads can require it without a TS loader).

/** The board's common slots; slots 5, 6 and 8 and up are the pool's own. */
export const BOARD: Readonly<{ GEN: 0; STOP: 1; NEXT: 2; DONE: 3; READY: 4; ERROR: 7 }>;

export function serveTasks(ctl: Int32Array, setup: () => void, runTask: () => void): void;

export function takeChunks(ctl: Int32Array, n: number, work: (j: number) => void): void;
