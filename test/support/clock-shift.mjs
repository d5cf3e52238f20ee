// Preloaded (NODE_OPTIONS=--import) into a child process: its wall clock (Date.now) reads
// FUSION_TEST_CLOCK_SHIFT_MS later than the machine's, as after a clock step another process has
// not seen yet. The monotonic clock (process.hrtime) is left alone, as a clock step leaves it.
const shift = Number(process.env.FUSION_TEST_CLOCK_SHIFT_MS ?? 0);
const wall = Date.now.bind(Date);
Date.now = () => wall() + shift;
