export { runCli, type CliIo } from './lib/cli.js';
