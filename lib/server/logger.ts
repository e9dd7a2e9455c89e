// Structured JSON logs (pino). Quiet in tests unless LOG_LEVEL says otherwise.
import pino from "pino";
import { config } from "@/lib/config";

export const logger = pino({ level: config.logLevel, base: { service: "snapdeck" } });
