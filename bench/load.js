// Drives one workload with autocannon and prints its result as one JSON line.
// Usage: node load.js '<json: {url, connections, duration, requests: [{method, path, headers, body}]}>'
"use strict";
const autocannon = require("autocannon");

const config = JSON.parse(process.argv[2]);
const statuses = {};
const instance = autocannon(
  {
    url: config.url,
    connections: config.connections,
    duration: config.duration,
    requests: config.requests.map((r) => ({
      method: r.method,
      path: r.path,
      headers: r.headers,
      body: r.body,
    })),
  },
  (error, result) => {
    if (error) {
      console.error(String(error));
      process.exit(1);
    }
    console.log(
      JSON.stringify({
        requests: result.requests.total,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts,
        statuses,
      })
    );
  }
);
instance.on("response", (client, statusCode) => {
  statuses[statusCode] = (statuses[statusCode] || 0) + 1;
});
