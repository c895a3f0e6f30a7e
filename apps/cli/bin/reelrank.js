#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx caches the compiled files), like the Nx stage targets.
require('tsx/cjs');
const { main } = require('../src/main.ts');
main(process.argv.slice(2));
