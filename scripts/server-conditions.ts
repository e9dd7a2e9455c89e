// Imported first by the scripts that load server modules (cli, worker, start). Those modules
// begin with `import "server-only"`, which resolves to an empty module only under Node's
// react-server condition (what Next.js gives server code) and throws a message about Client
// Components otherwise. Say what is actually wrong instead.
import { createRequire } from "node:module";

try {
  createRequire(__filename)("server-only");
} catch {
  console.error(
    `${process.argv[1]}: run it through npm (npm run cli / worker / agent / start) or as ` +
      "`node --conditions=react-server --import tsx <script>`: the server modules need the react-server condition.",
  );
  process.exit(1);
}
