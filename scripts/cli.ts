// The operator CLI (docs/SPEC.md §4): npm run cli -- <resource> <verb> [options]
// Results go to stdout (the token or id on the last line, for scripts) and nothing else
// does: errors and logs (lib/server/logger.ts) go to stderr, with a non-zero exit on
// failure, and nothing is half-created.
import "./server-conditions";
import { failure, runCli } from "./cli-commands";

runCli(process.argv.slice(2)).then(
  (lines) => {
    for (const line of lines) console.log(line);
    process.exit(0);
  },
  async (err) => {
    const { code, message } = await failure(err);
    console.error(message);
    process.exit(code);
  },
);
