// Prints one plain closing line for the whole `npm test` run from jest's JSON results, so a
// run that executed no test cannot pass unnoticed. Exits non-zero if jest ran no test.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const file = path.join(__dirname, '..', '.jest-results.json');
const results = JSON.parse(fs.readFileSync(file, 'utf8'));
const passed = results.numPassedTests;
const failed = results.numFailedTests;
const skipped = results.numPendingTests + results.numTodoTests;
process.stdout.write(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
if (passed + failed === 0 || failed > 0) process.exitCode = 1;
