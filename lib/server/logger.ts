// Structured JSON logs (pino), on stderr: stdout of a command-line entry point (cli, worker,
// start) holds its result alone, so scripts can read it. Quiet in tests unless LOG_LEVEL
// says otherwise. Synchronous writes, so a line is out before a CLI exits.
import "server-only";
import pino from "pino";
import { config } from "@/lib/config";

export const logger = pino({ level: config.logLevel, base: { service: "snapdeck" } }, pino.destination({ fd: 2, sync: true }));
