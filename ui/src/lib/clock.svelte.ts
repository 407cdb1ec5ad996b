/**
 * One clock for the whole window, ticking every second: countdowns and ages read `clock.now` and
 * update together, with one timer instead of one per row.
 */
class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | undefined;
  #users = 0;

  /** Keeps the clock ticking while the caller needs it; returns the function that releases it. */
  use(): () => void {
    this.#users += 1;
    if (this.#timer === undefined) {
      this.now = Date.now();
      this.#timer = setInterval(() => (this.now = Date.now()), 1000);
    }
    return () => {
      this.#users -= 1;
      if (this.#users === 0 && this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }
}

export const clock = new Clock();
