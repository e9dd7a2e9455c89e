// Preloaded into a child process (NODE_OPTIONS=--import …) to make its clock wrong by
// SNAPDECK_TEST_CLOCK_SKEW_MS, as on a host whose clock drifted: Date.now() and new Date()
// are shifted; the database's clock is not.
const skew = Number(process.env.SNAPDECK_TEST_CLOCK_SKEW_MS ?? 0);
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + skew);
    else super(...args);
  }
  static now() {
    return RealDate.now() + skew;
  }
}
globalThis.Date = SkewedDate;
