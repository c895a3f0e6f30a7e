// Types of scratch-tmpdir.js (plain CommonJS: the root jest config's global setup runs untransformed).
export function setup(): Promise<void>;
export function teardown(): Promise<void>;
