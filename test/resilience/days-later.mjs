// Preloaded (`node --import`) into an API process started by the default-start test: its clock runs
// DAYS_LATER days ahead, as if it were restarted weeks after the demo was loaded, so that the
// scheduler finds overdue follow-ups and deliveries. A follow-up cannot be created past due, so
// only time makes one overdue. Test-only: nothing in the application reads DAYS_LATER.
const offset = Number(process.env.DAYS_LATER ?? 0) * 86_400_000;
const RealDate = globalThis.Date;
class DaysLater extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = DaysLater;
