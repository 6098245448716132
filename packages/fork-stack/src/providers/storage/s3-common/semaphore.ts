/**
 * Bounded parallelism with back-pressure: `run` waits for a free slot before starting the task, so a
 * producer that awaits it never runs ahead of the work (the listing is not read faster than objects
 * are copied). `idle` resolves when every started task has settled.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  /** Starts `task` as soon as a slot is free; resolves when it has started, not when it ends. */
  async start(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const promise: Promise<void> = task()
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(promise);
        this.waiting.shift()?.();
      });
    this.running.add(promise);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
