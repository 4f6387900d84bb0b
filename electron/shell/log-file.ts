// The desktop app's log: userData/logs/main.log, size-capped and rotated (main.log,
// main.log.1, main.log.2 by default), every line redacted. Pure Node (no 'electron'), so it is
// unit-tested. Writes are synchronous appends: log volume is small, and a line written just
// before a crash is the one that matters.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { redactValue } from '../core/diagnostics';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogFileOptions {
  dir: string;
  name?: string;
  /** Size at which the current file is rotated. */
  maxBytes?: number;
  /** Files kept in all, the current one included. */
  files?: number;
}

/** One entry is capped: a log line is no place for a whole message, whatever a caller passes. */
const maxEntryChars = 4000;

/** One line: time, level, and the arguments redacted and formatted as console would. */
export function formatLogLine(time: Date, level: LogLevel, args: readonly unknown[]): string {
  const text = format(...args.map((a) => redactValue(a)));
  const capped = text.length > maxEntryChars ? `${text.slice(0, maxEntryChars)}… [${text.length - maxEntryChars} more chars]` : text;
  // One entry per line, so tail() and rotation never split one; a stack's lines are indented.
  return `${time.toISOString()} ${level.toUpperCase()} ${capped.replace(/\r?\n/g, '\n    ')}\n`;
}

export class LogFile {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly files: number;
  private size: number;

  constructor(options: LogFileOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.path = join(options.dir, options.name ?? 'main.log');
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.files = Math.max(1, options.files ?? 3);
    this.size = existsSync(this.path) ? statSync(this.path).size : 0;
  }

  /** Appends one entry; never throws (a full disk must not take the app down with it). */
  write(level: LogLevel, ...args: unknown[]): void {
    try {
      const line = formatLogLine(new Date(), level, args);
      const bytes = Buffer.byteLength(line);
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      appendFileSync(this.path, line, { mode: 0o600 });
      this.size += bytes;
    } catch {
      // Logging is best effort.
    }
  }

  /** The newest `count` lines, across the rotated files when the current one has fewer. */
  tail(count: number): string[] {
    const lines: string[] = [];
    for (let i = 0; i < this.files && lines.length < count; i++) {
      const file = this.rotated(i);
      if (!existsSync(file)) break;
      const text = readFileSync(file, 'utf8');
      lines.unshift(...text.split('\n').filter((l) => l !== ''));
    }
    return lines.slice(-count);
  }

  private rotated(i: number): string {
    return i === 0 ? this.path : `${this.path}.${i}`;
  }

  /** main.log → main.log.1 → main.log.2 …; the oldest beyond `files` is deleted. */
  private rotate(): void {
    rmSync(this.rotated(this.files - 1), { force: true });
    for (let i = this.files - 2; i >= 0; i--) {
      if (existsSync(this.rotated(i))) renameSync(this.rotated(i), this.rotated(i + 1));
    }
    this.size = 0;
  }
}

type ConsoleLike = Pick<Console, 'log' | 'info' | 'warn' | 'error'>;

/**
 * Copies console output into the log file while it still reaches stderr/stdout as before.
 * The core reports through console.warn/error, so this is how its messages land in the file.
 * Returns a function restoring the original methods.
 */
export function teeConsole(target: ConsoleLike, log: Pick<LogFile, 'write'>): () => void {
  const original = { log: target.log, info: target.info, warn: target.warn, error: target.error };
  const levels: Record<keyof ConsoleLike, LogLevel> = { log: 'info', info: 'info', warn: 'warn', error: 'error' };
  for (const method of Object.keys(levels) as (keyof ConsoleLike)[]) {
    const passOn = original[method];
    target[method] = (...args: unknown[]) => {
      log.write(levels[method], ...args);
      passOn.apply(target, args);
    };
  }
  return () => Object.assign(target, original);
}
