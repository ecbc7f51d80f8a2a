// Starts a real `orgtwin serve` on port 0 in a temp dir and reads the credentials it writes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export async function startServer(...extraArgs) {
  const binary = process.env.ORGTWIN_BIN ?? join(repo, "build", "release", "src", "cli", "orgtwin");
  const dataDir = mkdtempSync(join(tmpdir(), "orgtwin-node-"));
  const child = spawn(binary, ["serve", "--listen", "127.0.0.1:0", "--data", dataDir,
                               "--log-level", "warn", ...extraArgs],
                      { stdio: ["ignore", "pipe", "inherit"] });
  const endpoint = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("orgtwin did not start in time")), 20000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    child.on("exit", (code) => reject(new Error(`orgtwin exited with ${code}`)));
  });
  const ini = readFileSync(join(dataDir, "credentials"), "utf8");
  const accessKeyId = ini.match(/aws_access_key_id = (\S+)/)[1];
  const secretAccessKey = ini.match(/aws_secret_access_key = (\S+)/)[1];
  return {
    endpoint, accessKeyId, secretAccessKey,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.exitCode !== null ? resolve() : child.on("exit", resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// The error a call that must fail rejects with (the test fails if the call succeeds).
export async function errorOf(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to fail");
}
