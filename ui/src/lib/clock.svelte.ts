/**
 * One clock for the whole window, ticking every second: countdowns and ages read `clock.now` and
 * update together, with one timer instead of one per row.
 *
 * It is the desk's clock: this computer's time plus the offset the desk gives in its health (zero
 * but in the demo, whose sandbox's clock can be moved forward). "Due in / late by" then reads the
 * same time as the desk that counts late cases.
 */
class Clock {
  now = $state(Date.now());
  #offset = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #users = 0;

  /** Now on the desk's clock, read afresh: for spans measured between two moments. */
  read(): number {
    return Date.now() + this.#offset;
  }

  /** Follows the desk's clock, `offsetMs` ahead of this computer's; moves `now` at once. */
  follow(offsetMs: number): void {
    if (offsetMs === this.#offset) return;
    this.#offset = offsetMs;
    this.now = this.read();
  }

  /** Keeps the clock ticking while the caller needs it; returns the function that releases it. */
  use(): () => void {
    this.#users += 1;
    if (this.#timer === undefined) {
      this.now = this.read();
      this.#timer = setInterval(() => (this.now = this.read()), 1000);
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
