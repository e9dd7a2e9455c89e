// Cron expressions of schedules: five fields "m h dom mon dow", always in UTC (no DST, so
// every slot exists exactly once). cron-parser does the parsing and the arithmetic; this
// module only pins the dialect (five fields, no seconds, no @aliases) and the time zone.
import { CronExpressionParser } from "cron-parser";

/** null when the expression is valid, else why not (a sentence fragment for the API's errors). */
export function cronError(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `must have 5 fields "minute hour day-of-month month day-of-week", got ${fields.length}`;
  try {
    CronExpressionParser.parse(expression, { tz: "UTC", strict: false });
    return null;
  } catch (err) {
    return `is not a valid cron expression (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** The first slot strictly after `after` (UTC). Throws on an invalid expression. */
export function nextRunAfter(expression: string, after: Date): Date {
  const error = cronError(expression);
  if (error) throw new Error(`cron "${expression}" ${error}`);
  return CronExpressionParser.parse(expression.trim(), { tz: "UTC", currentDate: after }).next().toDate();
}
