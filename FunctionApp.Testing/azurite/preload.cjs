// Loaded with `node --require` ahead of Azurite by AzuriteServer. Two things, neither of which touches storage behaviour.
"use strict";
const Module = require("module");
const path = require("path");

// 1. Never outlive the tests. AzuriteServer holds this process's standard input open and never writes to it; when the
// test process goes away without disposing the server (killed, crashed, a debugger stopped), the pipe closes and
// Azurite ends with it instead of living on as an orphan.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();

// 2. Start in about a second instead of four. Azurite loads Application Insights when it starts (common/Telemetry.js)
// even with --disableTelemetry, which AzuriteServer always passes, and then never calls it; loading it alone takes
// about 2.4 s on a 2-core machine. An empty module stands in for it, resolved from Telemetry.js's own folder so that it
// is exactly the module Azurite would load.
if (process.argv.includes("--disableTelemetry")) {
  const telemetryFolder = path.join(__dirname, "node_modules", "azurite", "dist", "src", "common");
  const resolved = require.resolve("applicationinsights", { paths: [telemetryFolder] });
  const stub = new Module(resolved);
  stub.filename = resolved;
  stub.loaded = true;
  stub.exports = {};
  require.cache[resolved] = stub;
}
