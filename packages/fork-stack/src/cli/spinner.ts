/**
 * A one-line spinner on stderr that never touches stdin and installs no signal handler.
 *
 * Hand-written on purpose: the spinner libraries take Ctrl-C away from the CLI's own interrupt path
 * (docs/architecture.md, "Interrupts"). @clack/prompts' spinner puts stdin in raw mode and calls
 * process.exit(0) on the 0x03 keypress; nanospinner, yocto-spinner and ora's defaults exit on SIGINT or
 * read stdin themselves. Any of these ends the process before the running create is rolled back and
 * its lock released. Left alone, the terminal turns Ctrl-C into SIGINT, which cli.ts handles.
 */
import { stripVTControlCharacters } from 'node:util';

const FRAMES = ['◒', '◐', '◓', '◑'];

export interface Spinner {
  message(text: string): void;
  stop(mark: string, text: string): void;
}

/** Cut `text` to `width` visible characters (colours dropped when it has to be cut). */
function fit(text: string, width: number): string {
  const plain = stripVTControlCharacters(text);
  return plain.length <= width ? text : `${plain.slice(0, Math.max(0, width - 1))}…`;
}

export function startSpinner(stream: NodeJS.WriteStream, text: string): Spinner {
  let frame = 0;
  let current = text;
  let stopped = false;
  const draw = () => {
    const width = (stream.columns || 80) - 3;
    stream.write(`\r\x1b[2K${FRAMES[frame]} ${fit(current, width)}`);
    frame = (frame + 1) % FRAMES.length;
  };
  draw();
  const timer = setInterval(draw, 120);
  // The spinner must not keep a finished process alive.
  timer.unref();
  return {
    message(next) {
      current = next;
    },
    stop(mark, final) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.write(`\r\x1b[2K${mark} ${final}\n`);
    },
  };
}
