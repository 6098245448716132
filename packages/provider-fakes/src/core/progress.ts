export interface AsyncOptions {
  /** Status reads that still report "in progress" before the work reports done. Default 1. */
  polls?: number;
  /** And at least this many milliseconds after it started. Default 0. */
  ms?: number;
}

/**
 * Asynchronous work (a branch being created, a task running). Every read of its status counts as one
 * poll; it reports done once `polls` reads have seen it in progress and `ms` have passed, and stays done.
 */
export class Progress {
  private reads = 0;
  private finished = false;
  private readonly startedAt = Date.now();

  constructor(private readonly options: Required<AsyncOptions>) {}

  /** One status read: true when the work is done. */
  poll(): boolean {
    if (!this.finished && this.reads >= this.options.polls && Date.now() - this.startedAt >= this.options.ms) this.finished = true;
    this.reads += 1;
    return this.finished;
  }

  /** The current status, without counting as a poll. */
  get done(): boolean {
    return this.finished;
  }

  /** Finish now (seeded resources, or work the fake completes synchronously). */
  complete(): void {
    this.finished = true;
  }
}
